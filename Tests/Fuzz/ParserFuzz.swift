// libFuzzer entry point for the IDX and CIFAR-10 parsers of GTNData.
//
// Not part of the package build: Tests/Fuzz/run.sh compiles this file together
// with the parser sources (DataError, Readers/*, Support/FileIO) into one executable with
// `swiftc -sanitize=fuzzer,address -parse-as-library`. Every input is given to
// both parsers as in-memory bytes, plain and (by the fuzzer's own discovery of
// the 1f 8b magic) gzip-compressed. A parser may throw `DataError`; anything
// else — a crash, a sanitizer report, a timeout or a broken invariant — is a
// finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))

  if let file = try? IDXFile(decoding: bytes, source: "fuzz") {
    // A decoded file is self-consistent and re-encodes to an equal file.
    precondition(file.payload.count == file.elementCount * file.elementType.byteWidth)
    let again = try? IDXFile(decoding: file.encoded(), source: "re-encoded")
    precondition(again == file, "IDX re-encoding changed the file")
  }

  if let batch = try? CIFAR10Batch(decoding: bytes, source: "fuzz") {
    precondition(batch.pixels.count == batch.count * CIFAR10Batch.imageSize)
    precondition(batch.labels.allSatisfy { $0 < 10 })
    let again = try? CIFAR10Batch(decoding: batch.encoded(), source: "re-encoded")
    precondition(again == batch, "CIFAR-10 re-encoding changed the batch")
  }

  _ = try? CIFAR10Batch.classNames(decoding: bytes)
  return 0
}
