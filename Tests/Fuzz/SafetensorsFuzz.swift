// libFuzzer entry point for the safetensors reader of GTNData.
//
// Not part of the package build: `Tests/Fuzz/run.sh safetensors`
// compiles this file together with the parser sources (DataError, Readers/*,
// Support/FileIO) into one executable. A reader may throw `DataError`;
// anything else — a crash, a sanitizer report, a timeout or a broken
// invariant — is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if let file = try? SafetensorsFile(decoding: bytes, source: "fuzz") {
    for (_, array) in file.arrays {
      precondition(array.scalarType != nil)
      precondition(array.data.count == array.scalarCount * array.scalarType!.byteWidth)
    }
    // A decoded file re-encodes to an equal file.
    let again = (try? file.encoded()).flatMap { try? SafetensorsFile(decoding: $0, source: "re-encoded") }
    precondition(again == file, "safetensors re-encoding changed the file")
  }
  return 0
}
