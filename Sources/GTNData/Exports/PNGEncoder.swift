internal import _GTNCZlib

/// Encodes 8-bit grey or RGB images as PNG, with zlib's `compress2` for the
/// image data and zlib's `crc32` for the chunk checksums.
enum PNGEncoder {
  /// The PNG file for `pixels`, `height × width × channels` bytes, rows top
  /// to bottom, RGB interleaved.
  static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws -> [UInt8] {
    precondition(channels == 1 || channels == 3, "PNG export needs 1 or 3 channels, got \(channels)")
    precondition(width > 0 && height > 0 && pixels.count == width * height * channels,
                 "PNG of \(width)×\(height)×\(channels) needs \(width * height * channels) bytes, got \(pixels.count)")
    // Each row is preceded by filter type 0 (none).
    let rowBytes = width * channels
    var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
    raw.withUnsafeMutableBufferPointer { out in
      pixels.withUnsafeBufferPointer { source in
        for y in 0..<height {
          (out.baseAddress! + y * (rowBytes + 1) + 1)
            .update(from: source.baseAddress! + y * rowBytes, count: rowBytes)
        }
      }
    }
    var compressedCount = compressBound(uLong(raw.count))
    var compressed = [UInt8](repeating: 0, count: Int(compressedCount))
    let status = compressed.withUnsafeMutableBufferPointer { out in
      raw.withUnsafeBufferPointer { source in
        compress2(out.baseAddress!, &compressedCount, source.baseAddress!, uLong(source.count), Z_BEST_COMPRESSION)
      }
    }
    guard status == Z_OK else {
      throw DataError(.unwritable, file: "PNG", field: "IDAT", expected: "zlib compress2 to succeed", found: "status \(status)")
    }
    compressed.removeLast(compressed.count - Int(compressedCount))

    var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    var header: [UInt8] = []
    header.appendBigEndian(UInt32(width))
    header.appendBigEndian(UInt32(height))
    header += [8, channels == 1 ? 0 : 2, 0, 0, 0]  // depth 8, grey/RGB, deflate, filter 0, no interlace
    appendChunk("IHDR", header, to: &png)
    appendChunk("IDAT", compressed, to: &png)
    appendChunk("IEND", [], to: &png)
    return png
  }

  private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
    png.appendBigEndian(UInt32(data.count))
    let typeAndData = Array(type.utf8) + data
    png += typeAndData
    let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
    png.appendBigEndian(UInt32(crc))
  }
}

extension [UInt8] {
  mutating func appendBigEndian(_ value: UInt32) {
    append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
  }
}
