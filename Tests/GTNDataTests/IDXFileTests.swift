import Foundation
import Testing
@testable import GTNData

@Suite("IDX reader")
struct IDXFileTests {
  @Test func decodesPlainFile() throws {
    let bytes = Fixtures.idxImages(count: 3, rows: 4, columns: 5)
    let file = try IDXFile(decoding: bytes)
    #expect(file.elementType == .uint8)
    #expect(file.dimensions == [3, 4, 5])
    #expect(file.payload == Array(bytes[16...]))
    #expect(file.encoded() == bytes)
  }

  @Test func decodesGzipByMagicNotName() throws {
    let bytes = Fixtures.idxImages(count: 2)
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    // A gzip file without .gz suffix and a plain file with one.
    let gz = try tmp.write(Fixtures.gzip(bytes), to: "images-idx3-ubyte")
    let plain = try tmp.write(bytes, to: "images-idx3-ubyte.gz")
    #expect(try IDXFile(contentsOf: gz).encoded() == bytes)
    #expect(try IDXFile(contentsOf: plain).encoded() == bytes)
  }

  @Test func decodesMultiMemberGzip() throws {
    let bytes = Fixtures.idxImages(count: 3, rows: 10, columns: 10)
    let cut = 123
    let gz = Fixtures.gzip(Array(bytes[..<cut])) + Fixtures.gzip(Array(bytes[cut...]))
    #expect(try IDXFile(decoding: gz).encoded() == bytes)
  }

  @Test func decodesHighlyCompressedGzip() throws {
    let header = Fixtures.idxHeader([100, 100, 100])
    let gz = Fixtures.gzipBomb(prefix: header, zeros: 1_000_000)
    #expect(gz.count < 10_000)  // 1 MB of content
    let file = try IDXFile(decoding: gz)
    #expect(file.dimensions == [100, 100, 100])
    #expect(file.payload.allSatisfy { $0 == 0 })
  }

  @Test func labelsAndOtherElementTypes() throws {
    let labels = try IDXFile(decoding: Fixtures.idxLabels([1, 2, 3]))
    #expect(labels.dimensions == [3])
    let ints = try IDXFile(decoding: Fixtures.idxHeader([2], type: 0x0C) + [0, 0, 0, 1, 0, 0, 0, 2])
    #expect(ints.elementType == .int32)
    #expect(ints.payload.count == 8)
  }

  // MARK: Malformed input

  @Test func emptyFile() {
    #expect(DataError.caught { _ = try IDXFile(decoding: [], source: "empty") }?.kind == .empty)
  }

  @Test func truncationAtEveryHeaderBoundaryAndMidData() {
    let bytes = Fixtures.idxImages(count: 2, rows: 3, columns: 3)  // 16 + 18 bytes
    for length in [1, 2, 3, 4, 5, 8, 12, 15, 16, 17, 25, 33] {
      let error = DataError.caught { _ = try IDXFile(decoding: Array(bytes[..<length]), source: "t") }
      #expect(error?.kind == .truncated, "length \(length): \(String(describing: error))")
      #expect(error?.offset == length)
      #expect(error?.file == "t")
    }
    // The same truncations behind gzip.
    for length in [3, 4, 12, 16, 25] {
      let error = DataError.caught { _ = try IDXFile(decoding: Fixtures.gzip(Array(bytes[..<length]))) }
      #expect(error?.kind == .truncated, "gzip length \(length)")
    }
  }

  @Test func wrongMagic() {
    var bytes = Fixtures.idxImages(count: 1)
    bytes[0] = 0x12
    #expect(DataError.caught { _ = try IDXFile(decoding: bytes) }?.field == "magic")
    bytes[0] = 0
    bytes[2] = 0x07
    let error = DataError.caught { _ = try IDXFile(decoding: bytes) }
    #expect(error?.kind == .badMagic)
    #expect(error?.field == "type code")
    #expect(error?.offset == 2)
    // A PNG or text file is not IDX.
    #expect(DataError.caught { _ = try IDXFile(decoding: Array("hello world".utf8)) }?.kind == .badMagic)
    // Rank 0.
    #expect(DataError.caught { _ = try IDXFile(decoding: [0, 0, 8, 0]) }?.kind == .invalidHeader)
  }

  @Test func inflatedDimensionsDoNotAllocate() {
    // 4,294,967,295 images of 28×28 declared in a tiny file.
    let bytes = Fixtures.idxHeader([UInt32.max, 28, 28]) + [UInt8](repeating: 7, count: 784)
    let error = DataError.caught { _ = try IDXFile(decoding: bytes) }
    #expect(error?.kind == .truncated)
    #expect(error?.field == "data")
    // The same header behind gzip is rejected before inflating further.
    let gzError = DataError.caught { _ = try IDXFile(decoding: Fixtures.gzip(bytes)) }
    #expect(gzError?.kind == .truncated)
    #expect(gzError?.field == "declared size")
    // Dimensions whose product overflows.
    let huge = Fixtures.idxHeader([UInt32.max, UInt32.max, UInt32.max, UInt32.max])
    #expect(DataError.caught { _ = try IDXFile(decoding: huge) }?.kind == .invalidHeader)
  }

  @Test func trailingData() {
    let bytes = Fixtures.idxImages(count: 1) + [1, 2, 3]
    let error = DataError.caught { _ = try IDXFile(decoding: bytes) }
    #expect(error?.kind == .trailingData)
    #expect(error?.offset == 16 + 784)
  }

  @Test func gzipBombWithSmallHeaderClaim() {
    // The header declares 10 images, the stream expands to 50 MB of zeros.
    let gz = Fixtures.gzipBomb(prefix: Fixtures.idxHeader([10, 28, 28]), zeros: 50_000_000, checksummed: false)
    let error = DataError.caught { _ = try IDXFile(decoding: gz) }
    #expect(error?.kind == .trailingData)
    #expect(error?.offset == 16 + 7840)
  }

  @Test func garbageAndTruncatedGzip() {
    let valid = Fixtures.gzip(Fixtures.idxImages(count: 1))
    // Garbage after the magic.
    let garbage: [UInt8] = [0x1F, 0x8B] + (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 3) }
    #expect(DataError.caught { _ = try IDXFile(decoding: garbage) }?.kind == .corruptGzip)
    // Magic alone, and cut at many places.
    #expect(DataError.caught { _ = try IDXFile(decoding: [0x1F, 0x8B]) } != nil)
    for length in [2, 5, 10, 11, 20, 100, valid.count - 8, valid.count - 1] {
      let error = DataError.caught { _ = try IDXFile(decoding: Array(valid[..<length])) }
      #expect(error?.kind == .truncated || error?.kind == .corruptGzip, "gzip cut at \(length): \(String(describing: error))")
    }
    // A flipped byte in the data breaks the CRC.
    var corrupt = valid
    corrupt[100] ^= 0xFF
    #expect(DataError.caught { _ = try IDXFile(decoding: corrupt) }?.kind == .corruptGzip)
    // Stray bytes after the member.
    #expect(DataError.caught { _ = try IDXFile(decoding: valid + [0, 0, 0]) }?.kind == .corruptGzip)
    // An empty gzip stream.
    #expect(DataError.caught { _ = try IDXFile(decoding: Fixtures.gzip([])) }?.kind == .empty)
  }

  @Test func errorDescriptionNamesFileFieldAndValues() {
    let error = DataError.caught {
      _ = try IDXFile(decoding: Fixtures.idxHeader([5, 28, 28]), source: "train-images-idx3-ubyte")
    }
    let text = error?.description ?? ""
    #expect(text.contains("train-images-idx3-ubyte"))
    #expect(text.contains("truncated"))
    #expect(text.contains("3920"))
  }

  @Test func missingFile() {
    let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/x.idx")
    #expect(DataError.caught { _ = try IDXFile(contentsOf: url) }?.kind == .notFound)
  }
}
