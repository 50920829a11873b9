import Foundation
import Testing
@testable import GTNData

@Suite("CIFAR-10 reader")
struct CIFAR10BatchTests {
  @Test func decodesRecordsPlainAndGzip() throws {
    let bytes = Fixtures.cifarRecords(count: 5)
    for input in [bytes, Fixtures.gzip(bytes)] {
      let batch = try CIFAR10Batch(decoding: input)
      #expect(batch.count == 5)
      #expect(batch.labels == [0, 1, 2, 3, 4])
      #expect(Array(batch.pixels[3072..<3075]) == Array(bytes[3074..<3077]))
      #expect(batch.encoded() == bytes)
    }
  }

  @Test func classNames() throws {
    let names = try CIFAR10Batch.classNames(decoding: Array("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n".utf8))
    #expect(names == Dataset.cifar10ClassNames)
    #expect(DataError.caught { _ = try CIFAR10Batch.classNames(decoding: Array("a\nb\n".utf8)) }?.kind == .countMismatch)
    #expect(DataError.caught { _ = try CIFAR10Batch.classNames(decoding: [0xFF, 0xFE, 0x0A]) }?.kind == .badMagic)
  }

  @Test func emptyAndPartialRecords() {
    #expect(DataError.caught { _ = try CIFAR10Batch(decoding: []) }?.kind == .empty)
    let bytes = Fixtures.cifarRecords(count: 2)
    for length in [1, 100, 3072, 3074, 6145] {
      let error = DataError.caught { _ = try CIFAR10Batch(decoding: Array(bytes[..<length])) }
      #expect(error?.kind == .truncated, "length \(length)")
      #expect(error?.offset == (length / 3073) * 3073)
    }
    let gzError = DataError.caught { _ = try CIFAR10Batch(decoding: Array(Fixtures.gzip(bytes).dropLast(20))) }
    #expect(gzError?.kind == .truncated)
  }

  @Test func labelOutOfRange() {
    let bytes = Fixtures.cifarRecords(count: 4) { $0 == 2 ? 10 : 3 }
    let error = DataError.caught { _ = try CIFAR10Batch(decoding: bytes, source: "data_batch_9.bin") }
    #expect(error?.kind == .labelOutOfRange)
    #expect(error?.field == "label of record 2")
    #expect(error?.offset == 2 * 3073)
    #expect(error?.found == "10")
    // With more classes declared the same label is fine.
    #expect((try? CIFAR10Batch(decoding: bytes, classCount: 100)) != nil)
  }

  @Test func tooManyRecordsAndGzipBomb() {
    let bytes = Fixtures.cifarRecords(count: 3)
    #expect(DataError.caught { _ = try CIFAR10Batch(decoding: bytes, maximumRecordCount: 2) }?.kind == .trailingData)
    #expect(DataError.caught { _ = try CIFAR10Batch(decoding: Fixtures.gzip(bytes), maximumRecordCount: 2) }?.kind == .trailingData)
    // 40 MB of zeros: stopped at 10,000 records.
    let bomb = Fixtures.gzipBomb(prefix: [], zeros: 40_000_000, checksummed: false)
    let error = DataError.caught { _ = try CIFAR10Batch(decoding: bomb) }
    #expect(error?.kind == .trailingData)
    #expect(error?.offset == 10_000 * 3073)
  }

  @Test func garbageGzip() {
    let garbage: [UInt8] = [0x1F, 0x8B, 8, 0xE0] + [UInt8](repeating: 0xAB, count: 500)
    #expect(DataError.caught { _ = try CIFAR10Batch(decoding: garbage) }?.kind == .corruptGzip)
  }
}
