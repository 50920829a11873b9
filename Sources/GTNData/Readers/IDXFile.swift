import Foundation

/// A decoded IDX file: the simple n-dimensional array format of MNIST,
/// Fashion-MNIST, KMNIST and EMNIST.
///
/// An IDX file starts with a 4-byte magic number — two zero bytes, a type
/// code and the number of dimensions — followed by each dimension as a
/// big-endian `UInt32`, then the elements in row-major order. MNIST images
/// are `ubyte` IDX files with three dimensions (`idx3`), labels `ubyte` with
/// one (`idx1`).
///
/// The decoder trusts nothing: it checks the magic number, that the header
/// fits, that the product of the dimensions neither overflows nor exceeds the
/// bytes actually present, and that no bytes are left over. Gzip-compressed
/// input (recognised by its magic bytes `1f 8b`, not its name) is inflated
/// with the decompressed size bounded by what the header declares.
///
/// ```swift
/// let images = try IDXFile(contentsOf: directory.appending(path: "t10k-images-idx3-ubyte.gz"))
/// print(images.dimensions)   // [10000, 28, 28]
/// ```
public struct IDXFile: Sendable, Equatable {
  /// The element type named by the third magic byte.
  public enum ElementType: UInt8, Sendable, CaseIterable {
    /// Unsigned byte (`0x08`), used by every image and label file in practice.
    case uint8 = 0x08
    /// Signed byte (`0x09`).
    case int8 = 0x09
    /// Big-endian signed 16-bit integer (`0x0B`).
    case int16 = 0x0B
    /// Big-endian signed 32-bit integer (`0x0C`).
    case int32 = 0x0C
    /// Big-endian 32-bit float (`0x0D`).
    case float32 = 0x0D
    /// Big-endian 64-bit float (`0x0E`).
    case float64 = 0x0E

    /// The size of one element in bytes.
    public var byteWidth: Int {
      switch self {
      case .uint8, .int8: 1
      case .int16: 2
      case .int32, .float32: 4
      case .float64: 8
      }
    }
  }

  /// The type of the elements.
  public var elementType: ElementType
  /// The extent of each dimension, outermost first (e.g. `[60000, 28, 28]`).
  public var dimensions: [Int]
  /// The raw elements in row-major order, multi-byte types big-endian.
  public var payload: [UInt8]

  /// The number of elements, the product of ``dimensions``.
  public var elementCount: Int { dimensions.reduce(1, *) }

  /// The size of the header in bytes: 4 magic bytes and 4 per dimension.
  public var headerSize: Int { 4 + 4 * dimensions.count }

  /// Creates an IDX file from its parts.
  ///
  /// - Precondition: `payload.count` equals the product of `dimensions` times
  ///   the element width, and every dimension fits in a `UInt32`.
  public init(elementType: ElementType, dimensions: [Int], payload: [UInt8]) {
    precondition(!dimensions.isEmpty && dimensions.count <= 255, "IDX needs 1–255 dimensions, got \(dimensions)")
    precondition(
      dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) },
      "IDX dimensions \(dimensions) must lie in 0...UInt32.max")
    let count = dimensions.reduce(1, *) * elementType.byteWidth
    precondition(payload.count == count, "IDX dimensions \(dimensions) of \(elementType) need \(count) bytes, got \(payload.count)")
    self.elementType = elementType
    self.dimensions = dimensions
    self.payload = payload
  }

  /// Decodes an IDX file from bytes in memory, plain or gzip-compressed.
  ///
  /// - Parameters:
  ///   - bytes: The contents of the file.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` describing the first problem found.
  /// - Complexity: O(n) in the decompressed size.
  public init(decoding bytes: [UInt8], source: String = "<memory>") throws {
    guard !bytes.isEmpty else {
      throw DataError(.empty, file: source, field: "file", offset: 0, expected: "an IDX header", found: "0 bytes")
    }
    let plain: [UInt8]
    if Gzip.hasMagic(bytes) {
      plain = try Gzip.decompress(bytes, source: source) { prefix in
        guard let size = try IDXFile.declaredSize(header: prefix, source: source) else { return nil }
        // A deflate stream cannot expand more than ~1032:1, so a header that
        // declares more than that is lying about the data that follows.
        guard size / Gzip.maximumExpansion <= bytes.count else {
          throw DataError(
            .truncated, file: source, field: "declared size",
            expected: "at most \(bytes.count * Gzip.maximumExpansion) bytes from a \(bytes.count)-byte gzip stream",
            found: "\(size) bytes declared")
        }
        return size
      }
      guard !plain.isEmpty else {
        throw DataError(.empty, file: source, field: "decompressed data", offset: 0, expected: "an IDX header", found: "0 bytes")
      }
    } else {
      plain = bytes
    }
    try self.init(decodingPlain: plain, source: source)
  }

  /// Reads and decodes an IDX file, plain or gzip-compressed.
  ///
  /// - Parameter url: The location of the file.
  /// - Throws: ``DataError`` if the file is missing, unreadable or invalid.
  public init(contentsOf url: URL) throws {
    try self.init(decoding: try readBytes(url), source: url.lastPathComponent)
  }

  private init(decodingPlain bytes: [UInt8], source: String) throws {
    guard let total = try IDXFile.declaredSize(header: bytes, source: source) else {
      let needed = bytes.count < 4 ? 4 : 4 + 4 * Int(bytes[3])
      throw DataError(
        .truncated, file: source, field: bytes.count < 4 ? "magic" : "dimensions", offset: bytes.count,
        expected: "a \(needed)-byte header", found: "\(bytes.count) bytes")
    }
    let rank = Int(bytes[3])
    let headerSize = 4 + 4 * rank
    if bytes.count < total {
      throw DataError(
        .truncated, file: source, field: "data", offset: bytes.count,
        expected: "\(total - headerSize) bytes of data after the header",
        found: "\(bytes.count - headerSize)")
    }
    if bytes.count > total {
      throw DataError(
        .trailingData, file: source, field: "data", offset: total,
        expected: "end of file after \(total) bytes", found: "\(bytes.count - total) more bytes")
    }
    self.elementType = ElementType(rawValue: bytes[2])!
    self.dimensions = (0..<rank).map { Int(bytes.bigEndianUInt32(at: 4 + 4 * $0)) }
    self.payload = Array(bytes[headerSize...])
  }

  /// The total size (header + data) an IDX header declares, `nil` if the
  /// prefix is too short to tell.
  static func declaredSize(header bytes: [UInt8], source: String) throws -> Int? {
    if bytes.count >= 1, bytes[0] != 0 || (bytes.count >= 2 && bytes[1] != 0) {
      throw DataError(
        .badMagic, file: source, field: "magic", offset: 0,
        expected: "00 00 <type> <rank>", found: bytes.prefix(4).hexString)
    }
    guard bytes.count >= 4 else { return nil }
    guard let type = ElementType(rawValue: bytes[2]) else {
      throw DataError(
        .badMagic, file: source, field: "type code", offset: 2,
        expected: "08, 09, 0b, 0c, 0d or 0e", found: [bytes[2]].hexString)
    }
    let rank = Int(bytes[3])
    guard rank >= 1 else {
      throw DataError(.invalidHeader, file: source, field: "rank", offset: 3, expected: "at least 1 dimension", found: "0")
    }
    let headerSize = 4 + 4 * rank
    guard bytes.count >= headerSize else { return nil }
    var size = type.byteWidth
    for d in 0..<rank {
      let extent = Int(bytes.bigEndianUInt32(at: 4 + 4 * d))
      let (product, overflow) = size.multipliedReportingOverflow(by: extent)
      guard !overflow else {
        throw DataError(
          .invalidHeader, file: source, field: "dimension \(d)", offset: 4 + 4 * d,
          expected: "a total size that fits in 64 bits", found: "dimensions \((0..<rank).map { bytes.bigEndianUInt32(at: 4 + 4 * $0) })")
      }
      size = product
    }
    return headerSize + size
  }

  /// The file encoded as IDX bytes (uncompressed).
  ///
  /// Decoding the result with ``init(decoding:source:)`` gives back an equal
  /// value.
  ///
  /// - Complexity: O(n) in the payload size.
  public func encoded() -> [UInt8] {
    var bytes: [UInt8] = [0, 0, elementType.rawValue, UInt8(dimensions.count)]
    bytes.reserveCapacity(headerSize + payload.count)
    for d in dimensions {
      let v = UInt32(d)
      bytes += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
    bytes += payload
    return bytes
  }
}

extension [UInt8] {
  /// The big-endian `UInt32` at `offset`; the caller has checked the bounds.
  func bigEndianUInt32(at offset: Int) -> UInt32 {
    UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16
      | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
  }
}
