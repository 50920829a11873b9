import Foundation

/// A safetensors file (Hugging Face) with tensors of any common dtype,
/// each decoded to a ``NumPyArray`` (little-endian, C order).
///
/// The layout: an 8-byte little-endian header length `n`, `n` bytes of JSON
/// mapping each tensor name to `{"dtype", "shape", "data_offsets"}` (plus an
/// optional `"__metadata__"` map of strings), then the raw little-endian
/// data. The reader accepts the dtypes `BOOL`, `U8`, `I8`, `U16`, `I16`,
/// `U32`, `I32`, `U64`, `I64`, `F32` and `F64`, and checks, as the reference
/// implementation does, that every tensor's byte range matches its shape and
/// that the ranges tile the data exactly. ``Safetensors`` reads and writes
/// `F32` tensors for checkpoints on top of it.
///
/// ```swift
/// let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: "mnist.safetensors"))
/// let images = file.arrays["images"]!   // e.g. U8, [60000, 28, 28]
/// print(images.scalarType!, images.shape)
/// ```
///
/// - Reference: https://github.com/huggingface/safetensors (format spec).
public struct SafetensorsFile: Sendable, Equatable {
  /// The tensors by name.
  public var arrays: [String: NumPyArray]
  /// The free-form string pairs of `"__metadata__"`.
  public var metadata: [String: String]

  /// The largest header accepted, as in the reference implementation (100 MB).
  public static let maximumHeaderLength = 100_000_000

  /// The safetensors dtype names and the scalar types they decode to.
  public static let dtypes: [String: NumPyArray.ScalarType] = [
    "BOOL": .bool, "U8": .uint8, "I8": .int8, "U16": .uint16, "I16": .int16, "U32": .uint32,
    "I32": .int32, "U64": .uint64, "I64": .int64, "F32": .float32, "F64": .float64,
  ]

  /// Creates a file from arrays and metadata.
  ///
  /// - Parameters:
  ///   - arrays: The tensors by name; each must have a known ``NumPyArray/scalarType``.
  ///   - metadata: Free-form string pairs.
  public init(arrays: [String: NumPyArray], metadata: [String: String] = [:]) {
    self.arrays = arrays
    self.metadata = metadata
  }

  /// Decodes a safetensors file from bytes in memory.
  ///
  /// - Parameters:
  ///   - bytes: The contents of the file.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` describing the first problem found: `.empty`,
  ///   `.truncated`, `.invalidHeader` (bad JSON, unknown dtype, offsets
  ///   that disagree with the shape or overlap), `.trailingData`.
  /// - Complexity: O(n) in the size of the file.
  public init(decoding bytes: [UInt8], source: String = "<memory>") throws {
    guard !bytes.isEmpty else {
      throw DataError(.empty, file: source, field: "file", offset: 0, expected: "a safetensors header", found: "0 bytes")
    }
    guard bytes.count >= 8 else {
      throw DataError(.truncated, file: source, field: "header length", offset: bytes.count, expected: "an 8-byte header length", found: "\(bytes.count) bytes")
    }
    let declared = bytes.uint64(at: 0)
    guard declared <= UInt64(SafetensorsFile.maximumHeaderLength) else {
      throw DataError(
        .invalidHeader, file: source, field: "header length", offset: 0,
        expected: "at most \(SafetensorsFile.maximumHeaderLength) bytes", found: "\(declared)")
    }
    let headerLength = Int(declared)
    guard headerLength <= bytes.count - 8 else {
      throw DataError(
        .truncated, file: source, field: "header", offset: bytes.count,
        expected: "a \(headerLength)-byte JSON header", found: "\(bytes.count - 8) bytes")
    }
    let headerEnd = 8 + headerLength
    func invalid(_ field: String, _ expected: String, _ found: String) -> DataError {
      DataError(.invalidHeader, file: source, field: field, offset: 8, expected: expected, found: found)
    }
    guard headerLength > 0, bytes[8] == UInt8(ascii: "{"),
      let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])),
      let header = object as? [String: Any]
    else {
      let preview = String(decoding: bytes[8..<Swift.min(headerEnd, 8 + 60)], as: UTF8.self)
      throw invalid("header", "a JSON object", "'\(preview)'")
    }
    let payload = bytes.count - headerEnd
    var arrays: [String: NumPyArray] = [:]
    var metadata: [String: String] = [:]
    var ranges: [(start: Int, end: Int, name: String)] = []
    var pending: [(name: String, type: NumPyArray.ScalarType, shape: [Int], start: Int, end: Int)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        guard let map = value as? [String: String] else { throw invalid("__metadata__", "a map of strings to strings", "\(type(of: value))") }
        metadata = map
        continue
      }
      let field = "tensor '\(name)'"
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
        let shapeValues = entry["shape"] as? [Any], let offsetValues = entry["data_offsets"] as? [Any]
      else { throw invalid(field, "an object with dtype, shape and data_offsets", "\(value)") }
      guard let type = SafetensorsFile.dtypes[dtype] else {
        throw invalid("dtype of \(field)", "one of \(SafetensorsFile.dtypes.keys.sorted().joined(separator: ", "))", "'\(dtype)'")
      }
      let shape = shapeValues.compactMap(SafetensorsFile.nonNegativeInteger)
      guard shape.count == shapeValues.count else { throw invalid("shape of \(field)", "a list of non-negative integers", "\(shapeValues)") }
      let offsets = offsetValues.compactMap(SafetensorsFile.nonNegativeInteger)
      guard offsets.count == 2, offsetValues.count == 2, offsets[0] <= offsets[1] else {
        throw invalid("data_offsets of \(field)", "[begin, end] with 0 ≤ begin ≤ end", "\(offsetValues)")
      }
      var size = type.byteWidth
      for extent in shape {
        let (product, overflow) = size.multipliedReportingOverflow(by: extent)
        guard !overflow else { throw invalid("shape of \(field)", "a total size that fits in 64 bits", "\(shape)") }
        size = product
      }
      guard offsets[1] - offsets[0] == size else {
        throw invalid(
          "data_offsets of \(field)", "\(size) bytes for \(dtype) of shape \(shape)",
          "\(offsets[1] - offsets[0]) bytes (\(offsets[0])..<\(offsets[1]))")
      }
      guard offsets[1] <= payload else {
        throw DataError(
          .truncated, file: source, field: "data of \(field)", offset: bytes.count,
          expected: "bytes \(offsets[0])..<\(offsets[1]) of the data", found: "\(payload) bytes of data")
      }
      ranges.append((offsets[0], offsets[1], name))
      pending.append((name, type, shape, offsets[0], offsets[1]))
    }
    // The byte ranges must tile the data: no overlap, no gap, nothing after.
    ranges.sort { ($0.start, $0.end) < ($1.start, $1.end) }
    var covered = 0
    for range in ranges {
      guard range.start == covered else {
        throw invalid(
          "data_offsets of tensor '\(range.name)'", "to start at byte \(covered), where the previous tensor ends",
          "\(range.start) (\(range.start < covered ? "overlap" : "gap"))")
      }
      covered = range.end
    }
    guard covered == payload else {
      throw DataError(
        .trailingData, file: source, field: "data", offset: headerEnd + covered,
        expected: "end of file after \(covered) bytes of tensor data", found: "\(payload - covered) more bytes")
    }
    for tensor in pending {
      arrays[tensor.name] = NumPyArray(
        scalarType: tensor.type, shape: tensor.shape, data: Array(bytes[(headerEnd + tensor.start)..<(headerEnd + tensor.end)]))
    }
    self.arrays = arrays
    self.metadata = metadata
  }

  /// Reads and decodes a safetensors file.
  ///
  /// - Parameter url: The location of the file.
  /// - Throws: ``DataError`` if the file is missing, unreadable or invalid.
  public init(contentsOf url: URL) throws {
    try self.init(decoding: try readBytes(url), source: url.lastPathComponent)
  }

  /// The file encoded as safetensors bytes, tensors in name order.
  ///
  /// - Throws: ``DataError`` of kind `.unwritable` if an array has a type
  ///   safetensors cannot name.
  /// - Complexity: O(n) in the total size.
  public func encoded() throws -> [UInt8] {
    let names = arrays.keys.sorted()
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    for name in names {
      let array = arrays[name]!
      guard let type = array.scalarType, let dtype = SafetensorsFile.dtypes.first(where: { $0.value == type })?.key else {
        throw DataError(.unwritable, file: name, field: "dtype", expected: "a type safetensors names", found: "'\(array.descriptor)'")
      }
      header[name] = ["dtype": dtype, "shape": array.shape, "data_offsets": [offset, offset + array.data.count]] as [String: Any]
      offset += array.data.count
    }
    var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    while json.count % 8 != 0 { json.append(0x20) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + json.count + offset)
    bytes.appendLittleEndian(UInt64(json.count))
    bytes += json
    for name in names { bytes += arrays[name]!.data }
    return bytes
  }

  /// A JSON number that is a non-negative integer (not a fraction).
  private static func nonNegativeInteger(_ value: Any) -> Int? {
    guard let number = value as? NSNumber else { return nil }
    let double = number.doubleValue
    guard double >= 0, double == double.rounded(), double < 9.2e18 else { return nil }
    return number.intValue
  }
}
