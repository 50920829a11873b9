/// An error found while locating, reading, decompressing or validating data.
///
/// Every error names the file it concerns, the field or byte offset where the
/// problem was found, and what was expected versus what was found, so that a
/// message such as
///
/// ```
/// train-images-idx3-ubyte.gz: truncated at offset 16 (data): expected 47040000 bytes of pixel data, found 1200
/// ```
///
/// is enough to diagnose a bad download. Inspect ``kind`` to react to a
/// category of problem programmatically:
///
/// ```swift
/// do {
///   let train = try Dataset.mnist(split: .train)
///   print(train.count)
/// } catch let error as DataError where error.kind == .notFound {
///   print(error)   // lists every place that was searched
/// }
/// ```
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The category of a ``DataError``.
  public enum Kind: String, Sendable, CaseIterable {
    /// No file or directory with the data was found.
    case notFound
    /// The file exists but could not be read.
    case unreadable
    /// The file or stream holds no bytes.
    case empty
    /// The data ends before the header or payload it declares.
    case truncated
    /// The leading magic number does not identify the expected format.
    case badMagic
    /// A header field holds an impossible or unsupported value.
    case invalidHeader
    /// There are more bytes than the header (or the record layout) accounts for.
    case trailingData
    /// Two files that must agree (images and labels) disagree in count or shape.
    case countMismatch
    /// A label lies outside the declared number of classes.
    case labelOutOfRange
    /// A gzip stream is corrupt (bad header, bad deflate data or CRC mismatch).
    case corruptGzip
    /// Encoded data other than a gzip stream is corrupt: the deflate data of
    /// a ZIP member, or the compressed data of a PNG or JPEG image.
    case corruptData
    /// A checksum differs from the expected one: the MD5 of a file against
    /// the published one, or the CRC-32 of a ZIP member against its header.
    case checksumMismatch
    /// The file could not be written.
    case unwritable
  }

  /// The category of the problem.
  public var kind: Kind
  /// The file (or in-memory source) the problem concerns.
  public var file: String
  /// The header field, record or region concerned, e.g. `"magic"` or `"dimension 0"`.
  public var field: String
  /// The byte offset of the problem within the (decompressed) data, when known.
  public var offset: Int?
  /// What a valid file holds at this place.
  public var expected: String
  /// What was actually found.
  public var found: String

  /// Creates an error.
  ///
  /// - Parameters:
  ///   - kind: The category of the problem.
  ///   - file: The file or source the problem concerns.
  ///   - field: The header field or region concerned.
  ///   - offset: The byte offset of the problem, if known.
  ///   - expected: What a valid file holds here.
  ///   - found: What was found instead.
  public init(
    _ kind: Kind, file: String, field: String, offset: Int? = nil,
    expected: String, found: String
  ) {
    self.kind = kind
    self.file = file
    self.field = field
    self.offset = offset
    self.expected = expected
    self.found = found
  }

  public var description: String {
    let place = offset.map { " at offset \($0)" } ?? ""
    let name = kind.rawValue.replacingCamelCase()
    return "\(file): \(name)\(place) (\(field)): expected \(expected), found \(found)"
  }
}

extension String {
  /// `"labelOutOfRange"` → `"label out of range"`.
  fileprivate func replacingCamelCase() -> String {
    var result = ""
    for character in self {
      if character.isUppercase {
        result.append(" ")
        result.append(contentsOf: character.lowercased())
      } else {
        result.append(character)
      }
    }
    return result
  }
}
