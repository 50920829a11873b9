internal import _GTNCZlib

/// A ZIP archive in memory: its central directory, and each member's data
/// on request (stored or deflated, CRC-32 checked).
///
/// Sizes and offsets come from the central directory, never from the local
/// headers (NumPy writes local headers with ZIP64 placeholder sizes); ZIP64
/// end records and ZIP64 extra fields are understood. Encrypted members,
/// multi-disk archives and compression methods other than stored (0) and
/// deflate (8) are rejected with a ``DataError``.
struct ZipArchive {
  /// One member as the central directory describes it.
  struct Entry: Equatable {
    var name: String
    var method: UInt16
    var flags: UInt16
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
  }

  let bytes: [UInt8]
  let source: String
  /// The members in central-directory order.
  private(set) var entries: [Entry] = []

  /// The largest number of bytes deflate can produce from `n` bytes, with room for tiny streams.
  static func maximumInflatedSize(_ n: Int) -> Int { n.multipliedReportingOverflow(by: Gzip.maximumExpansion).partialValue + 64 }

  init(_ bytes: [UInt8], source: String) throws {
    self.bytes = bytes
    self.source = source
    guard !bytes.isEmpty else {
      throw DataError(.empty, file: source, field: "file", offset: 0, expected: "a ZIP archive", found: "0 bytes")
    }
    guard bytes.count >= 4, bytes.prefix(4).elementsEqual([0x50, 0x4B, 0x03, 0x04]) || bytes.prefix(4).elementsEqual([0x50, 0x4B, 0x05, 0x06]) else {
      throw DataError(
        .badMagic, file: source, field: "magic", offset: 0,
        expected: "50 4b 03 04 (a ZIP archive)", found: bytes.prefix(4).hexString)
    }
    // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535.
    guard bytes.count >= 22 else {
      throw DataError(.truncated, file: source, field: "end of central directory", offset: bytes.count, expected: "a 22-byte end record", found: "\(bytes.count) bytes in all")
    }
    var end = -1
    var position = bytes.count - 22
    let lowest = Swift.max(0, bytes.count - 22 - 65535)
    while position >= lowest {
      if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06,
        position + 22 + Int(bytes.uint16(at: position + 20)) <= bytes.count
      {
        end = position
        break
      }
      position -= 1
    }
    guard end >= 0 else {
      throw DataError(
        .truncated, file: source, field: "end of central directory", offset: bytes.count,
        expected: "an end record (50 4b 05 06) in the last 65,557 bytes", found: "none; the archive is cut short or not a ZIP file")
    }
    let disk = bytes.uint16(at: end + 4)
    let directoryDisk = bytes.uint16(at: end + 6)
    var entryCount = Int(bytes.uint16(at: end + 10))
    var directorySize = Int(bytes.uint32(at: end + 12))
    var directoryOffset = Int(bytes.uint32(at: end + 16))
    guard disk == 0 || disk == 0xFFFF, directoryDisk == 0 || directoryDisk == 0xFFFF,
      bytes.uint16(at: end + 8) == bytes.uint16(at: end + 10)
    else {
      throw DataError(.invalidHeader, file: source, field: "disk number", offset: end + 4, expected: "a single-disk archive", found: "disk \(disk), directory on disk \(directoryDisk)")
    }
    // ZIP64: a locator just before the end record points at the ZIP64 end record.
    if end >= 20, bytes[end - 20] == 0x50, bytes[end - 19] == 0x4B, bytes[end - 18] == 0x06, bytes[end - 17] == 0x07 {
      let recordOffset = bytes.uint64(at: end - 12)
      guard end - 20 >= 56, recordOffset <= UInt64(end - 20 - 56) else {
        throw DataError(
          .invalidHeader, file: source, field: "ZIP64 end record offset", offset: end - 12,
          expected: "a 56-byte ZIP64 end record before the locator", found: "offset \(recordOffset)")
      }
      let record = Int(recordOffset)
      guard bytes.uint32(at: record) == 0x0606_4B50 else {
        throw DataError(
          .badMagic, file: source, field: "ZIP64 end record", offset: record,
          expected: "50 4b 06 06", found: bytes[record..<(record + 4)].hexString)
      }
      let count64 = bytes.uint64(at: record + 32)
      let size64 = bytes.uint64(at: record + 40)
      let offset64 = bytes.uint64(at: record + 48)
      guard count64 <= UInt64(bytes.count), size64 <= UInt64(bytes.count), offset64 <= UInt64(bytes.count) else {
        throw DataError(
          .invalidHeader, file: source, field: "ZIP64 end record", offset: record,
          expected: "counts and offsets within the \(bytes.count)-byte file", found: "\(count64) entries, \(size64) bytes at \(offset64)")
      }
      (entryCount, directorySize, directoryOffset) = (Int(count64), Int(size64), Int(offset64))
    }
    let directoryLimit = end >= 20 && bytes.uint32(at: end - 20) == 0x0706_4B50 ? end - 20 : end
    guard directoryOffset <= directoryLimit, directorySize <= directoryLimit - directoryOffset else {
      throw DataError(
        .truncated, file: source, field: "central directory", offset: directoryOffset,
        expected: "\(directorySize) bytes of central directory before offset \(directoryLimit)", found: "offset \(directoryOffset)")
    }
    // Each central-directory entry is at least 46 bytes.
    guard entryCount <= directorySize / 46 else {
      throw DataError(
        .invalidHeader, file: source, field: "entry count", offset: end + 10,
        expected: "at most \(directorySize / 46) entries in a \(directorySize)-byte central directory", found: "\(entryCount)")
    }
    var p = directoryOffset
    let directoryEnd = directoryOffset + directorySize
    for index in 0..<entryCount {
      guard p + 46 <= directoryEnd else {
        throw DataError(.truncated, file: source, field: "central directory entry \(index)", offset: p, expected: "a 46-byte entry", found: "\(directoryEnd - p) bytes")
      }
      guard bytes.uint32(at: p) == 0x0201_4B50 else {
        throw DataError(.badMagic, file: source, field: "central directory entry \(index)", offset: p, expected: "50 4b 01 02", found: bytes[p..<(p + 4)].hexString)
      }
      let nameLength = Int(bytes.uint16(at: p + 28))
      let extraLength = Int(bytes.uint16(at: p + 30))
      let commentLength = Int(bytes.uint16(at: p + 32))
      let next = p + 46 + nameLength + extraLength + commentLength
      guard next <= directoryEnd else {
        throw DataError(
          .truncated, file: source, field: "central directory entry \(index)", offset: p,
          expected: "\(next - p) bytes of entry with name, extra field and comment", found: "\(directoryEnd - p) bytes")
      }
      let nameBytes = bytes[(p + 46)..<(p + 46 + nameLength)]
      let flags = bytes.uint16(at: p + 8)
      let name = flags & 0x800 != 0 ? String(decoding: nameBytes, as: UTF8.self) : String(nameBytes.map { Character(Unicode.Scalar($0)) })
      var entry = Entry(
        name: name, method: bytes.uint16(at: p + 10), flags: flags, crc32: bytes.uint32(at: p + 16),
        compressedSize: Int(bytes.uint32(at: p + 20)), uncompressedSize: Int(bytes.uint32(at: p + 24)),
        localHeaderOffset: Int(bytes.uint32(at: p + 42)))
      // ZIP64 extended information (header 0x0001) replaces the fields that hold 0xFFFFFFFF, in this order.
      var e = p + 46 + nameLength
      let extraEnd = e + extraLength
      while e + 4 <= extraEnd {
        let id = bytes.uint16(at: e)
        let size = Int(bytes.uint16(at: e + 2))
        guard e + 4 + size <= extraEnd else { break }
        if id == 0x0001 {
          var q = e + 4
          func next64() throws -> Int {
            guard q + 8 <= e + 4 + size else {
              throw DataError(.invalidHeader, file: source, field: "ZIP64 extra field of '\(name)'", offset: q, expected: "8 more bytes", found: "\(e + 4 + size - q)")
            }
            let v = bytes.uint64(at: q)
            q += 8
            guard v <= UInt64(Int.max) else {
              throw DataError(.invalidHeader, file: source, field: "ZIP64 extra field of '\(name)'", offset: q - 8, expected: "a size below 2^63", found: "\(v)")
            }
            return Int(v)
          }
          if entry.uncompressedSize == 0xFFFF_FFFF { entry.uncompressedSize = try next64() }
          if entry.compressedSize == 0xFFFF_FFFF { entry.compressedSize = try next64() }
          if entry.localHeaderOffset == 0xFFFF_FFFF { entry.localHeaderOffset = try next64() }
        }
        e += 4 + size
      }
      entries.append(entry)
      p = next
    }
  }

  /// The entry named `name`, if any.
  func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

  /// The decompressed, CRC-checked contents of `entry`.
  ///
  /// - Throws: ``DataError`` if the member is encrypted, uses an
  ///   unsupported method, lies outside the archive, is corrupt, or its
  ///   CRC-32 differs.
  func contents(of entry: Entry) throws -> [UInt8] {
    let field = "member '\(entry.name)'"
    guard entry.flags & 1 == 0 else {
      throw DataError(.invalidHeader, file: source, field: field, expected: "an unencrypted member", found: "encryption flag set")
    }
    let h = entry.localHeaderOffset
    guard h <= bytes.count - 30, bytes.uint32(at: h) == 0x0403_4B50 else {
      throw DataError(
        .badMagic, file: source, field: "local header of '\(entry.name)'", offset: h,
        expected: "50 4b 03 04", found: h <= bytes.count - 4 ? bytes[h..<(h + 4)].hexString : "end of file")
    }
    let start = h + 30 + Int(bytes.uint16(at: h + 26)) + Int(bytes.uint16(at: h + 28))
    guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
      throw DataError(
        .truncated, file: source, field: field, offset: start,
        expected: "\(entry.compressedSize) bytes of member data", found: "\(Swift.max(0, bytes.count - start)) bytes before the end of the file")
    }
    let output: [UInt8]
    switch entry.method {
    case 0:
      guard entry.compressedSize == entry.uncompressedSize else {
        throw DataError(
          .invalidHeader, file: source, field: field, expected: "equal sizes for a stored member",
          found: "\(entry.compressedSize) stored, \(entry.uncompressedSize) declared")
      }
      output = Array(bytes[start..<(start + entry.compressedSize)])
    case 8:
      guard entry.uncompressedSize <= ZipArchive.maximumInflatedSize(entry.compressedSize) else {
        throw DataError(
          .invalidHeader, file: source, field: field,
          expected: "at most \(ZipArchive.maximumInflatedSize(entry.compressedSize)) bytes from \(entry.compressedSize) deflated bytes",
          found: "\(entry.uncompressedSize) bytes declared")
      }
      output = try inflateRaw(start: start, count: entry.compressedSize, size: entry.uncompressedSize, field: field)
    default:
      throw DataError(
        .invalidHeader, file: source, field: "compression method of '\(entry.name)'",
        expected: "0 (stored) or 8 (deflate)", found: "\(entry.method)")
    }
    let crc = output.withUnsafeBufferPointer { p in
      UInt32(_GTNCZlib.crc32(0, p.baseAddress, uInt(p.count)))
    }
    guard crc == entry.crc32 else {
      throw DataError(
        .checksumMismatch, file: source, field: "CRC-32 of '\(entry.name)'",
        expected: String(entry.crc32, radix: 16), found: String(crc, radix: 16))
    }
    return output
  }

  /// Inflates raw deflate data into exactly `size` bytes.
  private func inflateRaw(start: Int, count: Int, size: Int, field: String) throws -> [UInt8] {
    guard count <= Int(UInt32.max), size <= Int(UInt32.max) - 1 else {
      throw DataError(.invalidHeader, file: source, field: field, expected: "a deflated member under 4 GiB", found: "\(count) compressed, \(size) declared")
    }
    var stream = z_stream()
    var status = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw DataError(.corruptData, file: source, field: "inflateInit2", expected: "Z_OK", found: "\(status)")
    }
    defer { inflateEnd(&stream) }
    // One spare byte reveals data beyond the declared size.
    var output = [UInt8](repeating: 0, count: size + 1)
    status = bytes.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out in
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + start)
        stream.avail_in = UInt32(count)
        stream.next_out = out.baseAddress!
        stream.avail_out = UInt32(out.count)
        return inflate(&stream, Z_FINISH)
      }
    }
    let produced = output.count - Int(stream.avail_out)
    switch status {
    case Z_STREAM_END where produced == size:
      output.removeLast()
      return output
    case Z_STREAM_END:
      throw DataError(
        .corruptData, file: source, field: field, offset: start,
        expected: "\(size) bytes as the central directory declares", found: "\(produced) bytes")
    case Z_BUF_ERROR where stream.avail_out == 0, Z_OK where stream.avail_out == 0:
      throw DataError(
        .corruptData, file: source, field: field, offset: start,
        expected: "\(size) bytes as the central directory declares", found: "more")
    case Z_BUF_ERROR:
      throw DataError(
        .truncated, file: source, field: field, offset: start + count,
        expected: "the rest of the deflate stream", found: "end of member data after \(produced) bytes")
    default:
      let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
      throw DataError(.corruptData, file: source, field: field, offset: start, expected: "valid deflate data", found: message)
    }
  }

  // MARK: - Writing

  /// A ZIP archive of the given members, each stored or deflated (no
  /// ZIP64, so every member and the archive must stay under 4 GiB).
  static func encode(_ members: [(name: String, contents: [UInt8], deflated: Bool)]) throws -> [UInt8] {
    var archive: [UInt8] = []
    var directory: [UInt8] = []
    for member in members {
      let name = Array(member.name.utf8)
      let crc = member.contents.withUnsafeBufferPointer { UInt32(_GTNCZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
      let data = member.deflated ? try deflateRaw(member.contents) : member.contents
      let method: UInt16 = member.deflated ? 8 : 0
      let offset = archive.count
      guard data.count < 0xFFFF_FFFF, member.contents.count < 0xFFFF_FFFF, offset < 0xFFFF_FFFF else {
        throw DataError(.unwritable, file: member.name, field: "size", expected: "a member under 4 GiB", found: "\(member.contents.count) bytes")
      }
      func common(_ out: inout [UInt8]) {
        out.appendLittleEndian(UInt16(20))  // version needed: 2.0
        out.appendLittleEndian(UInt16(0x800))  // UTF-8 names
        out.appendLittleEndian(method)
        out.appendLittleEndian(UInt16(0))  // time
        out.appendLittleEndian(UInt16(0x21))  // date: 1980-01-01
        out.appendLittleEndian(crc)
        out.appendLittleEndian(UInt32(data.count))
        out.appendLittleEndian(UInt32(member.contents.count))
        out.appendLittleEndian(UInt16(name.count))
        out.appendLittleEndian(UInt16(0))  // extra length
      }
      archive.appendLittleEndian(UInt32(0x0403_4B50))
      common(&archive)
      archive += name
      archive += data
      directory.appendLittleEndian(UInt32(0x0201_4B50))
      directory.appendLittleEndian(UInt16(20))  // version made by
      common(&directory)
      directory += [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // comment length, disk, internal and external attributes
      directory.appendLittleEndian(UInt32(offset))
      directory += name
    }
    let directoryOffset = archive.count
    archive += directory
    archive.appendLittleEndian(UInt32(0x0605_4B50))
    archive += [0, 0, 0, 0]
    archive.appendLittleEndian(UInt16(members.count))
    archive.appendLittleEndian(UInt16(members.count))
    archive.appendLittleEndian(UInt32(directory.count))
    archive.appendLittleEndian(UInt32(directoryOffset))
    archive.appendLittleEndian(UInt16(0))
    return archive
  }

  /// Raw deflate (no zlib or gzip wrapper) at the default level.
  static func deflateRaw(_ input: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    var status = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw DataError(.unwritable, file: "ZIP member", field: "deflateInit2", expected: "Z_OK", found: "\(status)")
    }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(input.count)))
    var output = [UInt8](repeating: 0, count: bound)
    status = input.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { out in
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
        stream.avail_in = UInt32(source.count)
        stream.next_out = out.baseAddress!
        stream.avail_out = UInt32(out.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END else {
      throw DataError(.unwritable, file: "ZIP member", field: "deflate", expected: "Z_STREAM_END", found: "\(status)")
    }
    output.removeLast(Int(stream.avail_out))
    return output
  }
}

extension [UInt8] {
  /// The little-endian `UInt16` at `offset`; the caller has checked the bounds.
  func uint16(at offset: Int) -> UInt16 {
    UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
  }

  /// The little-endian `UInt32` at `offset`; the caller has checked the bounds.
  func uint32(at offset: Int) -> UInt32 {
    UInt32(uint16(at: offset)) | UInt32(uint16(at: offset + 2)) << 16
  }

  /// The little-endian `UInt64` at `offset`; the caller has checked the bounds.
  func uint64(at offset: Int) -> UInt64 {
    UInt64(uint32(at: offset)) | UInt64(uint32(at: offset + 4)) << 32
  }

  mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}
