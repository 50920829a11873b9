import Foundation

/// A decoded batch file of the CIFAR-10 binary version.
///
/// Each file (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`) is a
/// sequence of 3,073-byte records: one label byte, then the 1,024 red, 1,024
/// green and 1,024 blue bytes of a 32×32 image, each plane row-major. There is
/// no header, so the decoder checks that the size is a whole, non-zero number
/// of records, at most `maximumRecordCount` (10,000 by default), and that
/// every label is below the number of classes. Gzip-compressed input (magic
/// bytes `1f 8b`) is inflated with the output bounded by `maximumRecordCount`
/// records.
///
/// ```swift
/// let batch = try CIFAR10Batch(contentsOf: directory.appending(path: "test_batch.bin.gz"))
/// print(batch.count)   // 10000
/// ```
public struct CIFAR10Batch: Sendable, Equatable {
  /// The bytes of one record: a label and a 3×32×32 image.
  public static let recordSize = 1 + imageSize
  /// The bytes of one image: three 32×32 planes.
  public static let imageSize = 3 * 32 * 32
  /// The number of records in every official batch file.
  public static let officialRecordCount = 10_000

  /// The label of each record.
  public var labels: [UInt8]
  /// The images, `count × 3 × 32 × 32` bytes, channel planes R, G, B.
  public var pixels: [UInt8]

  /// The number of records.
  public var count: Int { labels.count }

  /// Creates a batch from labels and planar RGB pixels.
  ///
  /// - Precondition: `pixels.count == labels.count × 3072`.
  public init(labels: [UInt8], pixels: [UInt8]) {
    precondition(
      pixels.count == labels.count * Self.imageSize,
      "CIFAR10Batch with \(labels.count) labels needs \(labels.count * Self.imageSize) pixel bytes, got \(pixels.count)")
    self.labels = labels
    self.pixels = pixels
  }

  /// Decodes a batch from bytes in memory, plain or gzip-compressed.
  ///
  /// - Parameters:
  ///   - bytes: The contents of the file.
  ///   - source: The name used in errors.
  ///   - classCount: The number of classes; every label must be below it.
  ///   - maximumRecordCount: The most records accepted (bounds decompression).
  /// - Throws: ``DataError`` describing the first problem found.
  /// - Complexity: O(n) in the decompressed size.
  public init(
    decoding bytes: [UInt8], source: String = "<memory>", classCount: Int = 10,
    maximumRecordCount: Int = officialRecordCount
  ) throws {
    precondition(classCount > 0 && classCount <= 256, "CIFAR classCount \(classCount) must lie in 1...256")
    precondition(maximumRecordCount > 0, "maximumRecordCount \(maximumRecordCount) must be positive")
    let limit = maximumRecordCount * Self.recordSize
    guard !bytes.isEmpty else {
      throw DataError(.empty, file: source, field: "file", offset: 0, expected: "CIFAR-10 records", found: "0 bytes")
    }
    let plain = Gzip.hasMagic(bytes) ? try Gzip.decompress(bytes, source: source) { _ in limit } : bytes
    guard !plain.isEmpty else {
      throw DataError(.empty, file: source, field: "decompressed data", offset: 0, expected: "CIFAR-10 records", found: "0 bytes")
    }
    guard plain.count <= limit else {
      throw DataError(
        .trailingData, file: source, field: "record count", offset: limit,
        expected: "at most \(maximumRecordCount) records (\(limit) bytes)", found: "\(plain.count) bytes")
    }
    let (count, remainder) = plain.count.quotientAndRemainder(dividingBy: Self.recordSize)
    guard remainder == 0 else {
      throw DataError(
        .truncated, file: source, field: "record \(count)", offset: count * Self.recordSize,
        expected: "whole records of \(Self.recordSize) bytes", found: "\(remainder) bytes left over")
    }
    var labels = [UInt8](repeating: 0, count: count)
    var pixels = [UInt8](repeating: 0, count: count * Self.imageSize)
    var badRecord: Int? = nil
    plain.withUnsafeBufferPointer { source in
      labels.withUnsafeMutableBufferPointer { labels in
        pixels.withUnsafeMutableBufferPointer { pixels in
          for r in 0..<count {
            let record = source.baseAddress! + r * Self.recordSize
            let label = record[0]
            if Int(label) >= classCount, badRecord == nil { badRecord = r }
            labels[r] = label
            (pixels.baseAddress! + r * Self.imageSize)
              .update(from: record + 1, count: Self.imageSize)
          }
        }
      }
    }
    if let r = badRecord {
      throw DataError(
        .labelOutOfRange, file: source, field: "label of record \(r)", offset: r * Self.recordSize,
        expected: "a label in 0..<\(classCount)", found: "\(labels[r])")
    }
    self.labels = labels
    self.pixels = pixels
  }

  /// Reads and decodes a batch file, plain or gzip-compressed.
  ///
  /// - Parameters:
  ///   - url: The location of the file.
  ///   - classCount: The number of classes; every label must be below it.
  /// - Throws: ``DataError`` if the file is missing, unreadable or invalid.
  public init(contentsOf url: URL, classCount: Int = 10) throws {
    try self.init(decoding: try readBytes(url), source: url.lastPathComponent, classCount: classCount)
  }

  /// Parses `batches.meta.txt`: one class name per line, blank lines ignored.
  ///
  /// - Parameters:
  ///   - bytes: The contents of the file (UTF-8 text).
  ///   - source: The name used in errors.
  ///   - expectedCount: The number of names required.
  /// - Throws: ``DataError`` if the text is not UTF-8 or has the wrong number of names.
  public static func classNames(
    decoding bytes: [UInt8], source: String = "batches.meta.txt", expectedCount: Int = 10
  ) throws -> [String] {
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw DataError(.badMagic, file: source, field: "text", expected: "UTF-8 text", found: "invalid UTF-8")
    }
    let names = text.split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    guard names.count == expectedCount else {
      throw DataError(
        .countMismatch, file: source, field: "class names",
        expected: "\(expectedCount) names", found: "\(names.count): \(names.prefix(12))")
    }
    return names
  }
}
