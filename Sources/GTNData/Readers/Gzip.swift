internal import _GTNCZlib

/// Bounded gzip decompression over zlib's `inflate`.
///
/// The decompressed size is bounded before and during inflation: a caller
/// supplies `limit`, which inspects the first decompressed bytes (a file
/// header) and returns the exact size the header declares. Inflation stops as
/// soon as one byte more than that is produced, so a small stream that expands
/// to gigabytes ("gzip bomb") is rejected after allocating at most the
/// declared size, and a header that declares more than the compressed stream
/// could ever hold is rejected before any large allocation.
enum Gzip {
  /// The largest expansion factor deflate can achieve (about 1032:1) plus
  /// some room for headers: a stream of n bytes never inflates to more than
  /// `maximumExpansion × n` bytes.
  static let maximumExpansion = 1040

  /// Whether `bytes` start with the gzip magic number `1f 8b`.
  static func hasMagic(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  /// Inflates a (possibly multi-member) gzip stream.
  ///
  /// - Parameters:
  ///   - input: The gzip-compressed bytes.
  ///   - source: The file name used in errors.
  ///   - limit: Given the output decompressed so far, returns the exact
  ///     decompressed size the data declares, or `nil` if it needs more bytes
  ///     to tell. It may throw to reject a bad header early.
  /// - Returns: The decompressed bytes; never more than the declared size.
  /// - Throws: ``DataError`` of kind `.corruptGzip`, `.truncated`,
  ///   `.trailingData`, or whatever `limit` throws.
  static func decompress(
    _ input: [UInt8], source: String, limit: ([UInt8]) throws -> Int?
  ) throws -> [UInt8] {
    guard hasMagic(input) else {
      throw DataError(
        .corruptGzip, file: source, field: "gzip magic", offset: 0,
        expected: "1f 8b", found: input.prefix(2).hexString)
    }
    guard input.count <= Int(UInt32.max) else {
      throw DataError(
        .invalidHeader, file: source, field: "compressed size",
        expected: "less than 4 GiB", found: "\(input.count) bytes")
    }
    var stream = z_stream()
    var status = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw DataError(
        .corruptGzip, file: source, field: "inflateInit2", expected: "Z_OK", found: "\(status)")
    }
    defer { inflateEnd(&stream) }

    var output = [UInt8](repeating: 0, count: 1 << 16)
    var produced = 0
    var declared: Int? = nil

    try input.withUnsafeBufferPointer { inBuffer in
      stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress!)
      stream.avail_in = UInt32(inBuffer.count)
      while true {
        if produced == output.count {
          // Grow geometrically; never beyond one byte past the declared size.
          let cap = declared.map { $0 + 1 } ?? Int.max
          grow(&output, to: Swift.min(output.count * 2, cap))
        }
        let room = Swift.min(output.count - produced, Int(UInt32.max))
        status = output.withUnsafeMutableBufferPointer { out in
          stream.next_out = out.baseAddress! + produced
          stream.avail_out = UInt32(room)
          return inflate(&stream, Z_NO_FLUSH)
        }
        produced += room - Int(stream.avail_out)
        let consumed = inBuffer.count - Int(stream.avail_in)

        if declared == nil, let size = try limit(Array(output[0..<produced])) {
          declared = size
          if output.count > size + 1 {
            output.removeLast(output.count - (size + 1))
          } else if produced == output.count {
            // Jump ahead to a realistic size for the rest of the stream.
            grow(&output, to: Swift.min(size + 1, Swift.max(output.count * 2, 8 * inBuffer.count)))
          }
        }
        if let size = declared, produced > size {
          throw DataError(
            .trailingData, file: source, field: "decompressed size", offset: size,
            expected: "\(size) bytes as the header declares", found: "more data after that")
        }

        switch status {
        case Z_STREAM_END:
          if stream.avail_in == 0 { return }
          // Another gzip member may follow (as `cat a.gz b.gz` produces).
          if inBuffer.count - consumed >= 2, inBuffer[consumed] == 0x1F, inBuffer[consumed + 1] == 0x8B {
            inflateReset(&stream)
          } else {
            throw DataError(
              .corruptGzip, file: source, field: "gzip member", offset: consumed,
              expected: "end of file or another gzip member (1f 8b)",
              found: "\(inBuffer.count - consumed) stray bytes")
          }
        case Z_OK:
          continue
        case Z_BUF_ERROR where stream.avail_in == 0:
          throw DataError(
            .truncated, file: source, field: "gzip stream", offset: consumed,
            expected: "the rest of the deflate stream and its CRC-32/size trailer",
            found: "end of file after \(produced) decompressed bytes")
        case Z_BUF_ERROR where stream.avail_out == 0:
          continue  // output full; the next turn grows it
        default:
          let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
          throw DataError(
            .corruptGzip, file: source, field: "deflate data", offset: consumed,
            expected: "a valid deflate stream with matching CRC-32", found: message)
        }
      }
    }
    output.removeLast(output.count - produced)
    return output
  }

  /// Replaces `buffer` by a zero-filled one of `count` bytes that starts
  /// with its contents (bulk operations only, fast in debug builds too).
  private static func grow(_ buffer: inout [UInt8], to count: Int) {
    guard count > buffer.count else { return }
    var larger = [UInt8](repeating: 0, count: count)
    larger.withUnsafeMutableBufferPointer { destination in
      buffer.withUnsafeBufferPointer { source in
        destination.baseAddress!.update(from: source.baseAddress!, count: source.count)
      }
    }
    buffer = larger
  }
}

extension Collection where Element == UInt8 {
  /// The bytes as space-separated hex, e.g. `"1f 8b"`, or `"nothing"` if empty.
  var hexString: String {
    if isEmpty { return "nothing" }
    return map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
  }
}
