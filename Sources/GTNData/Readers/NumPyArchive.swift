import Foundation

/// A NumPy `.npz` archive: a ZIP file of `.npy` members, as written by
/// `numpy.savez` (stored) and `numpy.savez_compressed` (deflated).
///
/// Opening an archive reads its central directory only; each array is
/// decompressed, CRC-checked and decoded when asked for.
///
/// ```swift
/// let archive = try NumPyArchive(contentsOf: URL(fileURLWithPath: "mnist.npz"))
/// print(archive.names)                   // ["x_test", "x_train", "y_train", "y_test"]
/// let images = try archive.array(named: "x_train")
/// print(images.shape)                    // [60000, 28, 28]
/// ```
///
/// The reader understands ZIP64 end records and extra fields (NumPy marks
/// its members ZIP64). Encrypted members, multi-disk archives and
/// compression methods other than stored and deflate give a ``DataError``.
public struct NumPyArchive: Sendable {
  private let zip: ZipArchive
  /// The name used in errors.
  public let source: String

  /// The arrays' names in archive order: the member names without their
  /// `.npy` extension (members with other extensions are listed as they are).
  public var names: [String] {
    zip.entries.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name }
  }

  /// Opens an archive in memory.
  ///
  /// - Parameters:
  ///   - bytes: The contents of the `.npz` file.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` if it is not a readable ZIP archive.
  /// - Complexity: O(n) in the size of the central directory (plus a scan
  ///   of at most 64 KiB for the end record).
  public init(decoding bytes: [UInt8], source: String = "<memory>") throws {
    zip = try ZipArchive(bytes, source: source)
    self.source = source
  }

  /// Reads and opens an `.npz` file.
  ///
  /// - Parameter url: The location of the file.
  /// - Throws: ``DataError`` if the file is missing, unreadable or not a ZIP archive.
  public init(contentsOf url: URL) throws {
    try self.init(decoding: try readBytes(url), source: url.lastPathComponent)
  }

  /// Decodes the array `name` (with or without the `.npy` extension).
  ///
  /// - Parameter name: The array's name, e.g. `"x_train"`.
  /// - Throws: ``DataError`` of kind `.notFound` if there is no such member,
  ///   or describing why the member cannot be decompressed or decoded.
  /// - Complexity: O(n) in the member's size.
  public func array(named name: String) throws -> NumPyArray {
    let archive = zip
    guard let entry = archive.entry(named: name + ".npy") ?? archive.entry(named: name) else {
      throw DataError(
        .notFound, file: source, field: "member '\(name).npy'",
        expected: "an array named '\(name)'", found: "members \(names.map { "'\($0)'" }.joined(separator: ", "))")
    }
    return try NumPyArray(decoding: try archive.contents(of: entry), source: "\(source)/\(entry.name)")
  }

  /// Encodes arrays as an `.npz` archive that `numpy.load` reads.
  ///
  /// ```swift
  /// let bytes = try NumPyArchive.encode([("x_train", NumPyArray(bytes: pixels, shape: [2, 28, 28])),
  ///                                      ("y_train", NumPyArray(labels: [3, 7]))], compressed: true)
  /// ```
  ///
  /// - Parameters:
  ///   - arrays: Named arrays; each becomes the member `<name>.npy`.
  ///   - compressed: Whether to deflate the members (as
  ///     `numpy.savez_compressed`) or store them (as `numpy.savez`).
  /// - Throws: ``DataError`` of kind `.unwritable` if a member reaches 4 GiB.
  /// - Complexity: O(n) in the total size.
  public static func encode(_ arrays: [(name: String, array: NumPyArray)], compressed: Bool = false) throws -> [UInt8] {
    try ZipArchive.encode(arrays.map { ($0.name + ".npy", $0.array.encoded(), compressed) })
  }
}
