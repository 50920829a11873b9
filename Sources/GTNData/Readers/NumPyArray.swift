import Foundation

/// An array in NumPy's `.npy` format: written for inspecting data and
/// generated samples with Python, read to load datasets saved with NumPy.
///
/// ```swift
/// try NumPyArray(batch.images).write(to: URL(fileURLWithPath: "images.npy"))
/// try NumPyArray(labels: batch.labels).write(to: URL(fileURLWithPath: "labels.npy"))
/// // Python: numpy.load("images.npy").shape == (N, C, H, W)
/// ```
///
/// Reading accepts format versions 1.0, 2.0 and 3.0, the scalar types of
/// ``ScalarType`` in either byte order, and C or Fortran order; the decoded
/// value always holds its elements in C order and little-endian, with a
/// canonical ``descriptor`` (`"|u1"`, `"<f4"`, …):
///
/// ```swift
/// let array = try NumPyArray(contentsOf: URL(fileURLWithPath: "x_train.npy"))
/// print(array.shape, array.scalarType!)   // [60000, 28, 28] uint8
/// let pixels = array.floatValues()!        // 47,040,000 values
/// ```
public struct NumPyArray: Sendable, Equatable {
  /// The NumPy type string of the elements, e.g. `"<f4"`, `"<i8"` or `"|u1"`.
  public var descriptor: String
  /// The shape of the array.
  public var shape: [Int]
  /// The elements in C order, little-endian.
  public var data: [UInt8]

  /// The scalar types the reader understands.
  public enum ScalarType: String, Sendable, CaseIterable {
    /// `bool` (`b1`), one byte, 0 or 1.
    case bool
    /// `int8` (`i1`).
    case int8
    /// `uint8` (`u1`).
    case uint8
    /// `int16` (`i2`).
    case int16
    /// `uint16` (`u2`).
    case uint16
    /// `int32` (`i4`).
    case int32
    /// `uint32` (`u4`).
    case uint32
    /// `int64` (`i8`).
    case int64
    /// `uint64` (`u8`).
    case uint64
    /// `float32` (`f4`).
    case float32
    /// `float64` (`f8`).
    case float64

    /// The NumPy kind and size code, e.g. `"f4"`.
    public var code: String {
      switch self {
      case .bool: "b1"
      case .int8: "i1"
      case .uint8: "u1"
      case .int16: "i2"
      case .uint16: "u2"
      case .int32: "i4"
      case .uint32: "u4"
      case .int64: "i8"
      case .uint64: "u8"
      case .float32: "f4"
      case .float64: "f8"
      }
    }

    /// The size of one element in bytes.
    public var byteWidth: Int { Int(code.dropFirst())! }

    /// Whether the type is `float32` or `float64`.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The little-endian descriptor NumPy writes for this type, e.g. `"<f4"` or `"|u1"`.
    public var descriptor: String { (byteWidth == 1 ? "|" : "<") + code }

    /// The type with the given kind and size code, e.g. `"i8"`.
    init?(code: String) {
      guard let type = ScalarType.allCases.first(where: { $0.code == code }) else { return nil }
      self = type
    }
  }

  /// The type of the elements, or `nil` if ``descriptor`` names a type this
  /// package does not read.
  public var scalarType: ScalarType? {
    guard let first = descriptor.first, "<>|=".contains(first) else { return nil }
    return ScalarType(code: String(descriptor.dropFirst()))
  }

  /// The number of elements, the product of ``shape``.
  public var scalarCount: Int { shape.reduce(1, *) }

  /// An `int64` (`'<i8'`) vector of labels.
  ///
  /// - Complexity: O(n).
  public init(labels: [Int]) {
    descriptor = "<i8"
    shape = [labels.count]
    var bytes: [UInt8] = []
    bytes.reserveCapacity(labels.count * 8)
    for label in labels {
      withUnsafeBytes(of: Int64(label).littleEndian) { bytes.append(contentsOf: $0) }
    }
    data = bytes
  }

  /// A `uint8` (`'|u1'`) array of bytes with the given shape.
  ///
  /// - Precondition: `bytes.count` is the product of `shape`.
  public init(bytes: [UInt8], shape: [Int]) {
    precondition(bytes.count == shape.reduce(1, *), "NumPyArray of shape \(shape) needs \(shape.reduce(1, *)) bytes, got \(bytes.count)")
    descriptor = "|u1"
    self.shape = shape
    data = bytes
  }

  /// An array of any ``ScalarType`` from its little-endian, C-order bytes.
  ///
  /// ```swift
  /// let labels = NumPyArray(scalarType: .int32, shape: [2], data: [3, 0, 0, 0, 7, 0, 0, 0])
  /// print(labels.integerValues()!)   // [3, 7]
  /// ```
  ///
  /// - Precondition: `data.count` is the product of `shape` times the
  ///   element width.
  public init(scalarType: ScalarType, shape: [Int], data: [UInt8]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "NumPyArray shape \(shape) has a negative dimension")
    let size = shape.reduce(1, *) * scalarType.byteWidth
    precondition(data.count == size, "NumPyArray of \(scalarType) and shape \(shape) needs \(size) bytes, got \(data.count)")
    descriptor = scalarType.descriptor
    self.shape = shape
    self.data = data
  }

  /// The `.npy` file: magic, version 1.0, a header padded to a multiple of
  /// 64 bytes, then the data.
  ///
  /// - Complexity: O(n).
  public func encoded() -> [UInt8] {
    let dims: String
    switch shape.count {
    case 0: dims = "()"
    case 1: dims = "(\(shape[0]),)"
    default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(dims), }"
    // magic (6) + version (2) + length (2) + header + '\n' ≡ 0 (mod 64)
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = UInt16(header.utf8.count)
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    bytes += data
    return bytes
  }

  /// Writes the `.npy` file.
  ///
  /// - Throws: ``DataError`` of kind `.unwritable` if it cannot be written.
  public func write(to url: URL) throws {
    try writeBytes(encoded(), to: url)
  }

  // MARK: - Values

  /// Every element converted to `Float`, in C order; `nil` if the
  /// ``scalarType`` is unknown.
  ///
  /// - Complexity: O(n).
  public func floatValues() -> [Float]? {
    guard let type = scalarType else { return nil }
    let n = data.count / type.byteWidth
    return data.withUnsafeBytes { raw in
      [Float](unsafeUninitializedCapacity: n) { out, initialized in
        switch type {
        case .bool, .uint8: for i in 0..<n { out[i] = Float(raw[i]) }
        case .int8: for i in 0..<n { out[i] = Float(Int8(bitPattern: raw[i])) }
        case .int16: for i in 0..<n { out[i] = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .uint16: for i in 0..<n { out[i] = Float(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .int32: for i in 0..<n { out[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .uint32: for i in 0..<n { out[i] = Float(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .int64: for i in 0..<n { out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .uint64: for i in 0..<n { out[i] = Float(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        case .float32:
          for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .float64:
          for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        }
        initialized = n
      }
    }
  }

  /// Every element as an `Int`, in C order; `nil` if the ``scalarType`` is
  /// unknown or floating-point, or a `uint64` element exceeds `Int.max`.
  ///
  /// - Complexity: O(n).
  public func integerValues() -> [Int]? {
    guard let type = scalarType, !type.isFloatingPoint else { return nil }
    let n = data.count / type.byteWidth
    var tooLarge = false
    let values = data.withUnsafeBytes { raw in
      [Int](unsafeUninitializedCapacity: n) { out, initialized in
        switch type {
        case .bool, .uint8: for i in 0..<n { out[i] = Int(raw[i]) }
        case .int8: for i in 0..<n { out[i] = Int(Int8(bitPattern: raw[i])) }
        case .int16: for i in 0..<n { out[i] = Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .uint16: for i in 0..<n { out[i] = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .int32: for i in 0..<n { out[i] = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .uint32: for i in 0..<n { out[i] = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .int64: for i in 0..<n { out[i] = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .uint64:
          for i in 0..<n {
            let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
            if v > UInt64(Int.max) { tooLarge = true }
            out[i] = Int(truncatingIfNeeded: v)
          }
        case .float32, .float64: break
        }
        initialized = n
      }
    }
    return tooLarge ? nil : values
  }

  // MARK: - Reading

  /// Decodes a `.npy` file from bytes in memory.
  ///
  /// The decoder trusts nothing: it checks the magic string and version,
  /// that the header fits in the file and is a well-formed dictionary with
  /// exactly the keys `descr`, `fortran_order` and `shape`, that the product
  /// of the dimensions does not overflow, and that the data is exactly as
  /// long as the header declares. Big-endian data is byte-swapped and
  /// Fortran-order data transposed, so the result is always little-endian C
  /// order.
  ///
  /// ```swift
  /// let array = try NumPyArray(decoding: bytes, source: "labels.npy")
  /// ```
  ///
  /// - Parameters:
  ///   - bytes: The contents of the file.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` describing the first problem found:
  ///   `.empty`, `.badMagic`, `.truncated`, `.trailingData` or
  ///   `.invalidHeader` (which includes unsupported types such as
  ///   structured, complex, `float16` or object arrays).
  /// - Complexity: O(n) in the size of the file.
  public init(decoding bytes: [UInt8], source: String = "<memory>") throws {
    guard !bytes.isEmpty else {
      throw DataError(.empty, file: source, field: "file", offset: 0, expected: "a .npy header", found: "0 bytes")
    }
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    guard bytes.count >= 6 || !bytes.elementsEqual(magic.prefix(bytes.count)) else {
      throw DataError(.truncated, file: source, field: "magic", offset: bytes.count, expected: "the 6-byte magic \\x93NUMPY", found: "\(bytes.count) bytes")
    }
    guard bytes.prefix(6).elementsEqual(magic) else {
      throw DataError(.badMagic, file: source, field: "magic", offset: 0, expected: "93 4e 55 4d 50 59 (\\x93NUMPY)", found: bytes.prefix(6).hexString)
    }
    guard bytes.count >= 8 else {
      throw DataError(.truncated, file: source, field: "version", offset: bytes.count, expected: "a 2-byte version", found: "end of file")
    }
    let (major, minor) = (bytes[6], bytes[7])
    guard (1...3).contains(major), minor == 0 else {
      throw DataError(.invalidHeader, file: source, field: "version", offset: 6, expected: "1.0, 2.0 or 3.0", found: "\(major).\(minor)")
    }
    let lengthSize = major == 1 ? 2 : 4
    guard bytes.count >= 8 + lengthSize else {
      throw DataError(.truncated, file: source, field: "header length", offset: bytes.count, expected: "a \(lengthSize)-byte header length", found: "end of file")
    }
    var headerLength = 0
    for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
    let headerStart = 8 + lengthSize
    guard headerLength <= bytes.count - headerStart else {
      throw DataError(
        .truncated, file: source, field: "header", offset: bytes.count,
        expected: "a \(headerLength)-byte header", found: "\(bytes.count - headerStart) bytes")
    }
    let headerEnd = headerStart + headerLength
    let header = try NPYHeader(
      Array(bytes[headerStart..<headerEnd]), utf8: major == 3, source: source, offset: headerStart)

    var size = header.type.byteWidth
    for (d, extent) in header.shape.enumerated() {
      let (product, overflow) = size.multipliedReportingOverflow(by: extent)
      guard !overflow else {
        throw DataError(
          .invalidHeader, file: source, field: "shape", offset: headerStart,
          expected: "a total size that fits in 64 bits", found: "shape \(header.shape) (overflow at dimension \(d))")
      }
      size = product
    }
    let available = bytes.count - headerEnd
    if available < size {
      throw DataError(
        .truncated, file: source, field: "data", offset: bytes.count,
        expected: "\(size) bytes of \(header.type) data for shape \(header.shape)", found: "\(available) bytes")
    }
    if available > size {
      throw DataError(
        .trailingData, file: source, field: "data", offset: headerEnd + size,
        expected: "end of file after \(size) bytes of data", found: "\(available - size) more bytes")
    }
    var data = Array(bytes[headerEnd...])
    if header.bigEndian { NumPyArray.swapBytes(&data, width: header.type.byteWidth) }
    if header.fortranOrder && header.shape.count > 1 {
      data = NumPyArray.cOrder(fromFortran: data, shape: header.shape, width: header.type.byteWidth)
    }
    self.descriptor = header.type.descriptor
    self.shape = header.shape
    self.data = data
  }

  /// Reads and decodes a `.npy` file.
  ///
  /// - Parameter url: The location of the file.
  /// - Throws: ``DataError`` if the file is missing, unreadable or invalid.
  public init(contentsOf url: URL) throws {
    try self.init(decoding: try readBytes(url), source: url.lastPathComponent)
  }

  /// Reverses the bytes of each `width`-byte element.
  static func swapBytes(_ data: inout [UInt8], width: Int) {
    guard width > 1 else { return }
    data.withUnsafeMutableBufferPointer { p in
      var start = 0
      while start + width <= p.count {
        var (i, j) = (start, start + width - 1)
        while i < j {
          p.swapAt(i, j)
          i += 1
          j -= 1
        }
        start += width
      }
    }
  }

  /// The elements of a Fortran-order (column-major) array in C order.
  static func cOrder(fromFortran data: [UInt8], shape: [Int], width: Int) -> [UInt8] {
    let count = shape.reduce(1, *)
    guard count > 0 else { return data }
    // Fortran strides: the first index varies fastest.
    var strides = [Int](repeating: 1, count: shape.count)
    for d in 1..<shape.count { strides[d] = strides[d - 1] * shape[d - 1] }
    var result = [UInt8](repeating: 0, count: data.count)
    var index = [Int](repeating: 0, count: shape.count)
    var source = 0
    data.withUnsafeBufferPointer { input in
      result.withUnsafeMutableBufferPointer { output in
        for element in 0..<count {
          (output.baseAddress! + element * width).update(from: input.baseAddress! + source * width, count: width)
          // Advance the C-order index (last dimension fastest).
          var d = shape.count - 1
          while d >= 0 {
            index[d] += 1
            source += strides[d]
            if index[d] < shape[d] { break }
            source -= strides[d] * shape[d]
            index[d] = 0
            d -= 1
          }
        }
      }
    }
    return result
  }
}

/// The dictionary in a `.npy` header, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct NPYHeader {
  var type: NumPyArray.ScalarType
  var bigEndian: Bool
  var fortranOrder: Bool
  var shape: [Int]

  /// A value of the Python literal subset that `.npy` headers use.
  private enum Value {
    case string(String)
    case bool(Bool)
    case tuple([Int])
    case other(String)
  }

  init(_ bytes: [UInt8], utf8: Bool, source: String, offset: Int) throws {
    func fail(_ field: String, _ expected: String, _ found: String) -> DataError {
      DataError(.invalidHeader, file: source, field: field, offset: offset, expected: expected, found: found)
    }
    let text = utf8 ? String(decoding: bytes, as: UTF8.self) : String(bytes.map { Character(Unicode.Scalar($0)) })
    let preview = text.count > 120 ? String(text.prefix(120)) + "…" : text
    var parser = Parser(scalars: Array(text.unicodeScalars))
    guard let dictionary = parser.dictionary(), parser.atEnd() else {
      throw fail("header", "a Python dictionary literal", "'\(preview)'")
    }
    let keys = Set(dictionary.map(\.key))
    guard keys == ["descr", "fortran_order", "shape"], dictionary.count == 3 else {
      throw fail("header keys", "exactly 'descr', 'fortran_order' and 'shape'", dictionary.map { "'\($0.key)'" }.joined(separator: ", "))
    }
    var type: NumPyArray.ScalarType? = nil
    var bigEndian = false
    var fortranOrder: Bool? = nil
    var shape: [Int]? = nil
    for (key, value) in dictionary {
      switch (key, value) {
      case ("descr", .string(let descr)):
        let supported = NumPyArray.ScalarType.allCases.map(\.code).joined(separator: ", ")
        guard let order = descr.first, "<>|=".contains(order), let t = NumPyArray.ScalarType(code: String(descr.dropFirst())) else {
          throw fail("descr", "a simple type of \(supported) with byte order <, >, | or =", "'\(descr)'")
        }
        guard order != "|" || t.byteWidth == 1 else {
          throw fail("descr", "a byte order < or > for a \(t.byteWidth)-byte type", "'\(descr)'")
        }
        type = t
        bigEndian = order == ">" && t.byteWidth > 1
      case ("descr", _):
        throw fail("descr", "a simple type string such as '<f4' (structured arrays are not supported)", "'\(preview)'")
      case ("fortran_order", .bool(let b)):
        fortranOrder = b
      case ("shape", .tuple(let dims)):
        shape = dims
      default:
        throw fail(key, key == "shape" ? "a tuple of non-negative integers" : "True or False", "'\(preview)'")
      }
    }
    self.type = type!
    self.bigEndian = bigEndian
    self.fortranOrder = fortranOrder!
    self.shape = shape!
  }

  /// A recursive-descent parser for the header's dictionary literal.
  private struct Parser {
    var scalars: [Unicode.Scalar]
    var index = 0

    mutating func skipSpace() {
      while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
    }

    mutating func consume(_ c: Unicode.Scalar) -> Bool {
      skipSpace()
      guard index < scalars.count, scalars[index] == c else { return false }
      index += 1
      return true
    }

    mutating func atEnd() -> Bool {
      skipSpace()
      return index == scalars.count
    }

    mutating func dictionary() -> [(key: String, value: Value)]? {
      guard consume("{") else { return nil }
      var entries: [(key: String, value: Value)] = []
      while true {
        if consume("}") { return entries }
        guard let key = string(), consume(":"), let value = value() else { return nil }
        entries.append((key, value))
        if consume("}") { return entries }
        guard consume(",") else { return nil }
      }
    }

    mutating func string() -> String? {
      skipSpace()
      guard index < scalars.count, scalars[index] == "'" || scalars[index] == "\"" else { return nil }
      let quote = scalars[index]
      index += 1
      var result = String.UnicodeScalarView()
      while index < scalars.count, scalars[index] != quote {
        guard scalars[index] != "\\" else { return nil }  // escapes never occur in valid headers
        result.append(scalars[index])
        index += 1
      }
      guard index < scalars.count else { return nil }
      index += 1
      return String(result)
    }

    mutating func integer() -> Int? {
      skipSpace()
      var value = 0
      let start = index
      while index < scalars.count, (48...57).contains(scalars[index].value) {
        let (times, o1) = value.multipliedReportingOverflow(by: 10)
        let (plus, o2) = times.addingReportingOverflow(Int(scalars[index].value) - 48)
        guard !o1, !o2 else { return nil }
        value = plus
        index += 1
      }
      guard index > start else { return nil }
      if index < scalars.count, scalars[index] == "L" { index += 1 }  // Python 2 long
      return value
    }

    mutating func value() -> Value? {
      skipSpace()
      guard index < scalars.count else { return nil }
      switch scalars[index] {
      case "'", "\"":
        return string().map(Value.string)
      case "(":
        index += 1
        var dims: [Int] = []
        while true {
          if consume(")") { return .tuple(dims) }
          guard let d = integer() else { return nil }
          dims.append(d)
          if consume(")") { return .tuple(dims) }
          guard consume(",") else { return nil }
        }
      default:
        // A bare word (True, False, None) or anything else up to the next
        // comma or brace at this level, which the caller rejects.
        var word = String.UnicodeScalarView()
        var depth = 0
        while index < scalars.count {
          let c = scalars[index]
          if depth == 0 && (c == "," || c == "}") { break }
          if c == "[" || c == "(" || c == "{" { depth += 1 }
          if c == "]" || c == ")" || c == "}" { depth -= 1 }
          guard depth >= 0 else { return nil }
          word.append(c)
          index += 1
        }
        let text = String(word).trimmingCharacters(in: .whitespaces)
        switch text {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "": return nil
        default: return .other(text)
        }
      }
    }
  }
}
