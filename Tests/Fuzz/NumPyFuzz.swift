// libFuzzer entry point for the NPY and NPZ readers of GTNData.
//
// Not part of the package build: `Tests/Fuzz/run.sh numpy` compiles
// this file together with the parser sources (DataError, Readers/*,
// Support/FileIO) into one executable. Every input is decoded as a .npy file
// and as an .npz archive (every member); a reader may throw `DataError`,
// anything else — a crash, a sanitizer report, a timeout or a broken
// invariant — is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))

  if let array = try? NumPyArray(decoding: bytes, source: "fuzz") {
    check(array)
  }

  if let archive = try? NumPyArchive(decoding: bytes, source: "fuzz") {
    for name in archive.names {
      if let array = try? archive.array(named: name) { check(array) }
    }
  }
  return 0
}

/// A decoded array is self-consistent and re-encodes to an equal array.
func check(_ array: NumPyArray) {
  guard let type = array.scalarType else { preconditionFailure("decoded an unknown type \(array.descriptor)") }
  precondition(array.data.count == array.scalarCount * type.byteWidth)
  precondition(array.floatValues()?.count == array.scalarCount)
  let again = try? NumPyArray(decoding: array.encoded(), source: "re-encoded")
  precondition(again == array, "NPY re-encoding changed the array")
}
