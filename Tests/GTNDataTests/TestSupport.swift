import Foundation
import GTNData

/// Environment-dependent conditions for real-data and Python tests.
enum Env {
  /// `GTN_DATA_DIR`, if set and an existing directory.
  static let dataDirectory: URL? = {
    guard let path = ProcessInfo.processInfo.environment["GTN_DATA_DIR"], !path.isEmpty else { return nil }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
    return URL(fileURLWithPath: path, isDirectory: true)
  }()

  static var hasData: Bool { dataDirectory != nil }

  static let hasFashionMNIST: Bool = FileManager.default.fileExists(
    atPath: DataLocator.debianFashionMNISTDirectory + "/train-labels-idx1-ubyte.gz")

  /// The python3 executable, if any on PATH.
  static let python: URL? = {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for directory in paths {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }()

  static let hasPython: Bool = python != nil
  static let hasNumPy: Bool = hasPython && (try? runPython("import numpy"))?.status == 0

  /// Runs `python3 -c script args…`, returning exit status and standard output.
  static func runPython(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = python!
    process.arguments = ["-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("gtn-data-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  func file(_ name: String) -> URL { url.appendingPathComponent(name) }
  func write(_ bytes: [UInt8], to name: String) throws -> URL {
    let target = file(name)
    try Data(bytes).write(to: target)
    return target
  }
  func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Builders for small valid and invalid files.
enum Fixtures {
  /// An IDX header for `ubyte` data with the given dimensions.
  static func idxHeader(_ dimensions: [UInt32], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for d in dimensions { bytes += [UInt8(d >> 24), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return bytes
  }

  /// Deterministic MNIST-like images: `count` images of `rows × columns`.
  static func idxImages(count: Int, rows: Int = 28, columns: Int = 28) -> [UInt8] {
    idxHeader([UInt32(count), UInt32(rows), UInt32(columns)])
      + (0..<(count * rows * columns)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
  }

  static func idxLabels(_ labels: [UInt8]) -> [UInt8] { idxHeader([UInt32(labels.count)]) + labels }

  /// Deterministic CIFAR-10 records.
  static func cifarRecords(count: Int, label: (Int) -> UInt8 = { UInt8($0 % 10) }) -> [UInt8] {
    var bytes: [UInt8] = []
    for r in 0..<count {
      bytes.append(label(r))
      bytes += (0..<3072).map { UInt8(truncatingIfNeeded: $0 &+ 7 &* r) }
    }
    return bytes
  }

  // MARK: gzip without zlib: stored and fixed-Huffman deflate blocks

  static let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }

  static func gzipMember(deflate: [UInt8], crc: UInt32, size: UInt32) -> [UInt8] {
    var bytes: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
    bytes += deflate
    for v in [crc, size] { bytes += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
    return bytes
  }

  /// A valid gzip member storing `data` in uncompressed deflate blocks.
  static func gzip(_ data: [UInt8]) -> [UInt8] {
    var deflate: [UInt8] = []
    var offset = 0
    repeat {
      let n = min(65535, data.count - offset)
      let final: UInt8 = offset + n == data.count ? 1 : 0
      deflate += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
      deflate += data[offset..<(offset + n)]
      offset += n
    } while offset < data.count
    return gzipMember(deflate: deflate, crc: crc32(data), size: UInt32(truncatingIfNeeded: data.count))
  }

  /// A gzip member whose content is `prefix` followed by `zeros` zero bytes,
  /// compressed ~160:1 with fixed-Huffman back-references. Without
  /// `checksummed` the trailer holds a zero CRC (cheap for huge contents
  /// that a reader must reject before reaching the trailer).
  static func gzipBomb(prefix: [UInt8], zeros: Int, checksummed: Bool = true) -> [UInt8] {
    precondition(zeros >= 1)
    var writer = BitWriter()
    writer.write(1, bits: 1)  // BFINAL
    writer.write(1, bits: 2)  // BTYPE = fixed Huffman
    for b in prefix + [0] { writer.literal(b) }
    var remaining = zeros - 1
    while remaining >= 3 {
      let length = remaining >= 258 + 3 || remaining == 258 ? 258 : min(remaining, 255)
      writer.match(length: length)
      remaining -= length
    }
    for _ in 0..<remaining { writer.literal(0) }
    writer.writeCode(0, length: 7)  // end of block (256)
    let crc = checksummed ? crc32(prefix + [UInt8](repeating: 0, count: zeros)) : 0
    return gzipMember(deflate: writer.bytes, crc: crc, size: UInt32(truncatingIfNeeded: prefix.count + zeros))
  }

  struct BitWriter {
    var bytes: [UInt8] = []
    var bitCount = 0
    mutating func write(_ value: Int, bits: Int) {  // LSB first
      for i in 0..<bits {
        if bitCount % 8 == 0 { bytes.append(0) }
        if value >> i & 1 == 1 { bytes[bytes.count - 1] |= UInt8(1 << (bitCount % 8)) }
        bitCount += 1
      }
    }
    mutating func writeCode(_ code: Int, length: Int) {  // Huffman codes MSB first
      for i in stride(from: length - 1, through: 0, by: -1) { write(code >> i & 1, bits: 1) }
    }
    mutating func literal(_ b: UInt8) {
      if b < 144 { writeCode(0x30 + Int(b), length: 8) } else { writeCode(0x190 + Int(b) - 144, length: 9) }
    }
    /// A back-reference of `length` (3…258) at distance 1.
    mutating func match(length: Int) {
      if length == 258 {
        writeCode(0xC5, length: 8)  // symbol 285
      } else {
        // Length symbols 257…284 with extra bits (RFC 1951, 3.2.5).
        let table: [(base: Int, extra: Int)] = [
          (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 1), (13, 1), (15, 1), (17, 1),
          (19, 2), (23, 2), (27, 2), (31, 2), (35, 3), (43, 3), (51, 3), (59, 3), (67, 4), (83, 4), (99, 4),
          (115, 4), (131, 5), (163, 5), (195, 5), (227, 5),
        ]
        let index = table.lastIndex { $0.base <= length }!
        let symbol = 257 + index
        if symbol < 280 { writeCode(symbol - 256, length: 7) } else { writeCode(0xC0 + symbol - 280, length: 8) }
        write(length - table[index].base, bits: table[index].extra)
      }
      writeCode(0, length: 5)  // distance code 0 = distance 1
    }
  }
}

extension DataError {
  /// Whether `body` throws a `DataError` of `kind`; returns it.
  static func caught(_ body: () throws -> Void) -> DataError? {
    do { try body() } catch let error as DataError { return error } catch { return nil }
    return nil
  }
}
