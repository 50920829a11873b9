internal import _GTNCJPEG
internal import _GTNCPNG

/// An 8-bit image: rows top to bottom, channels interleaved.
struct DecodedImage: Equatable {
  var width: Int
  var height: Int
  /// 1 (grey) or 3 (RGB).
  var channels: Int
  /// `height × width × channels` bytes.
  var pixels: [UInt8]

  /// The image with grey expanded to RGB (unchanged if already RGB).
  func rgb() -> DecodedImage {
    guard channels == 1 else { return self }
    var out = [UInt8](repeating: 0, count: pixels.count * 3)
    for (i, p) in pixels.enumerated() {
      out[3 * i] = p
      out[3 * i + 1] = p
      out[3 * i + 2] = p
    }
    return DecodedImage(width: width, height: height, channels: 3, pixels: out)
  }
}

/// Decodes PNG (libpng's simplified API) and JPEG (libjpeg) files to 8-bit
/// grey or RGB, recognising the format by its magic bytes.
///
/// Palette and low-bit-depth images are expanded, alpha is dropped (the
/// colour values are kept as stored, not composited), 16-bit PNGs are
/// reduced to 8 bits by libpng. An image of more than ``maximumBytes``
/// decoded bytes is refused before anything is allocated for it.
enum ImageDecoder {
  /// The largest decoded image accepted: 256 MiB.
  static let maximumBytes = 1 << 28

  /// Whether `bytes` start like a PNG (`89 50 4e 47`) or JPEG (`ff d8 ff`) file.
  static func format(of bytes: [UInt8]) -> String? {
    if bytes.count >= 8, bytes.prefix(8).elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "PNG" }
    if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return "JPEG" }
    return nil
  }

  /// Decodes a PNG or JPEG file.
  ///
  /// - Throws: ``DataError`` naming `source`: `.empty`, `.badMagic` (neither
  ///   format), `.corruptData` (the library's message), `.invalidHeader`
  ///   (too large).
  static func decode(_ bytes: [UInt8], source: String) throws -> DecodedImage {
    guard !bytes.isEmpty else {
      throw DataError(.empty, file: source, field: "file", offset: 0, expected: "a PNG or JPEG image", found: "0 bytes")
    }
    switch format(of: bytes) {
    case "PNG": return try decodePNG(bytes, source: source)
    case "JPEG": return try decodeJPEG(bytes, source: source)
    default:
      throw DataError(
        .badMagic, file: source, field: "magic", offset: 0,
        expected: "89 50 4e 47 0d 0a 1a 0a (PNG) or ff d8 ff (JPEG)", found: bytes.prefix(8).hexString)
    }
  }

  // The simplified API's format flags (png.h).
  private static let formatFlagAlpha: UInt32 = 0x01
  private static let formatFlagColor: UInt32 = 0x02

  static func decodePNG(_ bytes: [UInt8], source: String) throws -> DecodedImage {
    var image = png_image()
    image.version = 1  // PNG_IMAGE_VERSION
    let begun = bytes.withUnsafeBytes { raw in
      png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
    }
    guard begun != 0 else {
      throw DataError(.corruptData, file: source, field: "PNG header", expected: "a readable PNG header", found: message(of: &image))
    }
    let color = image.format & formatFlagColor != 0
    let alpha = image.format & formatFlagAlpha != 0
    let decodedChannels = (color ? 3 : 1) + (alpha ? 1 : 0)
    let (width, height) = (Int(image.width), Int(image.height))
    guard width > 0, height > 0, width * height <= maximumBytes / decodedChannels else {
      png_image_free(&image)
      throw DataError(
        .invalidHeader, file: source, field: "PNG size", expected: "at most \(maximumBytes) decoded bytes",
        found: "\(width)×\(height)×\(decodedChannels)")
    }
    image.format = (color ? formatFlagColor : 0) | (alpha ? formatFlagAlpha : 0)
    var decoded = [UInt8](repeating: 0, count: width * height * decodedChannels)
    let finished = decoded.withUnsafeMutableBytes { out in
      png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
    }
    guard finished != 0 else {
      let text = message(of: &image)
      png_image_free(&image)
      throw DataError(.corruptData, file: source, field: "PNG data", expected: "valid image data", found: text)
    }
    let channels = color ? 3 : 1
    if alpha {
      decoded = dropLastChannel(decoded, channels: decodedChannels)
    }
    return DecodedImage(width: width, height: height, channels: channels, pixels: decoded)
  }

  /// The pixels without their last (alpha) channel.
  private static func dropLastChannel(_ pixels: [UInt8], channels: Int) -> [UInt8] {
    let n = pixels.count / channels
    var out = [UInt8](repeating: 0, count: n * (channels - 1))
    for i in 0..<n {
      for c in 0..<(channels - 1) { out[i * (channels - 1) + c] = pixels[i * channels + c] }
    }
    return out
  }

  private static func message(of image: inout png_image) -> String {
    withUnsafeBytes(of: &image.message) { raw in
      let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      return text.isEmpty ? "libpng error" : text
    }
  }

  static func decodeJPEG(_ bytes: [UInt8], source: String) throws -> DecodedImage {
    var pixels: UnsafeMutablePointer<UInt8>? = nil
    var width: Int32 = 0
    var height: Int32 = 0
    var channels: Int32 = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = bytes.withUnsafeBufferPointer { input in
      message.withUnsafeMutableBufferPointer { text in
        gtn_jpeg_decode(
          input.baseAddress, UInt(input.count), maximumBytes, &pixels, &width, &height, &channels,
          text.baseAddress, text.count)
      }
    }
    defer { free(pixels) }
    switch status {
    case 0:
      guard let pixels, channels == 1 || channels == 3 else {
        throw DataError(.invalidHeader, file: source, field: "JPEG components", expected: "1 or 3", found: "\(channels)")
      }
      let count = Int(width) * Int(height) * Int(channels)
      return DecodedImage(
        width: Int(width), height: Int(height), channels: Int(channels),
        pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    case 2:
      throw DataError(
        .invalidHeader, file: source, field: "JPEG size", expected: "a non-empty image of at most \(maximumBytes) decoded bytes",
        found: "\(width)×\(height)×\(channels)")
    default:
      let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      throw DataError(.corruptData, file: source, field: "JPEG data", expected: "a decodable JPEG", found: text.isEmpty ? "libjpeg error" : text)
    }
  }
}

/// How an image-folder loader resizes images to a common size.
///
/// ```swift
/// let (train, _) = try Dataset.imageFolder(root, resizing: .bilinear(height: 32, width: 32))
/// ```
public enum ImageResize: Sendable, Equatable {
  /// Nearest-neighbour sampling to `height × width`.
  case nearest(height: Int, width: Int)
  /// Bilinear interpolation to `height × width` (pixel centres aligned as
  /// in PIL and PyTorch's `align_corners=False`; no antialiasing when shrinking).
  case bilinear(height: Int, width: Int)

  /// The target height and width.
  public var size: (height: Int, width: Int) {
    switch self {
    case .nearest(let h, let w), .bilinear(let h, let w): (h, w)
    }
  }

  /// `image` resized; unchanged when it already has the target size.
  func apply(to image: DecodedImage) -> DecodedImage {
    let (height, width) = size
    guard image.height != height || image.width != width else { return image }
    let c = image.channels
    var out = [UInt8](repeating: 0, count: height * width * c)
    let scaleY = Double(image.height) / Double(height)
    let scaleX = Double(image.width) / Double(width)
    switch self {
    case .nearest:
      for y in 0..<height {
        let sy = Swift.min(Int((Double(y) + 0.5) * scaleY), image.height - 1)
        for x in 0..<width {
          let sx = Swift.min(Int((Double(x) + 0.5) * scaleX), image.width - 1)
          for k in 0..<c { out[(y * width + x) * c + k] = image.pixels[(sy * image.width + sx) * c + k] }
        }
      }
    case .bilinear:
      for y in 0..<height {
        let fy = Swift.min(Swift.max((Double(y) + 0.5) * scaleY - 0.5, 0), Double(image.height - 1))
        let y0 = Int(fy)
        let y1 = Swift.min(y0 + 1, image.height - 1)
        let wy = fy - Double(y0)
        for x in 0..<width {
          let fx = Swift.min(Swift.max((Double(x) + 0.5) * scaleX - 0.5, 0), Double(image.width - 1))
          let x0 = Int(fx)
          let x1 = Swift.min(x0 + 1, image.width - 1)
          let wx = fx - Double(x0)
          for k in 0..<c {
            func p(_ yy: Int, _ xx: Int) -> Double { Double(image.pixels[(yy * image.width + xx) * c + k]) }
            let top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx
            let bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx
            out[(y * width + x) * c + k] = UInt8(Swift.min(Swift.max((top * (1 - wy) + bottom * wy).rounded(), 0), 255))
          }
        }
      }
    }
    return DecodedImage(width: width, height: height, channels: c, pixels: out)
  }
}
