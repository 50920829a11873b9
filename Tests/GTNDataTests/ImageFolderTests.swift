import Foundation
import Testing
import _GTNCJPEG
import _GTNCPNG

@testable import GTNData

/// Small PNG and JPEG files written with libpng's and libjpeg's encoders.
enum ImageFixtures {
  /// A PNG of `pixels` (`height × width × channels`, channels 1 grey, 2
  /// grey+alpha, 3 RGB, 4 RGBA), or a palette PNG when `palette` (RGB
  /// triples) is given and `pixels` holds indices.
  static func png(width: Int, height: Int, channels: Int, pixels: [UInt8], palette: [UInt8]? = nil) -> [UInt8] {
    var image = png_image()
    image.version = 1
    image.width = UInt32(width)
    image.height = UInt32(height)
    let flags: [Int: UInt32] = [1: 0, 2: 1, 3: 2, 4: 3]
    image.format = flags[channels]!
    if let palette {
      image.format = 2 | 8  // RGB | COLORMAP
      image.colormap_entries = UInt32(palette.count / 3)
    }
    var size = width * height * 8 + 4096
    var out = [UInt8](repeating: 0, count: size)
    let ok = out.withUnsafeMutableBytes { o in
      pixels.withUnsafeBytes { p in
        (palette ?? []).withUnsafeBytes { c in
          png_image_write_to_memory(&image, o.baseAddress, &size, 0, p.baseAddress, 0, palette == nil ? nil : c.baseAddress)
        }
      }
    }
    precondition(ok != 0, "png_image_write_to_memory failed")
    return Array(out.prefix(size))
  }

  /// A JPEG of `pixels` (`height × width × channels`, 1 or 3 channels).
  static func jpeg(width: Int, height: Int, channels: Int, pixels: [UInt8], quality: Int32 = 95) -> [UInt8] {
    var output: UnsafeMutablePointer<UInt8>? = nil
    var size: UInt = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = pixels.withUnsafeBufferPointer { p in
      message.withUnsafeMutableBufferPointer { m in
        gtn_jpeg_encode(p.baseAddress, Int32(width), Int32(height), Int32(channels), quality, &output, &size, m.baseAddress, m.count)
      }
    }
    precondition(status == 0, "gtn_jpeg_encode failed")
    defer { free(output) }
    return Array(UnsafeBufferPointer(start: output, count: Int(size)))
  }
}

@Suite struct ImageFolderTests {
  @Test func decodesEveryPNGKindAndJPEG() throws {
    let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]  // 2×2
    #expect(try ImageDecoder.decode(ImageFixtures.png(width: 2, height: 2, channels: 3, pixels: rgb), source: "a")
      == DecodedImage(width: 2, height: 2, channels: 3, pixels: rgb))
    let grey: [UInt8] = [0, 50, 100, 255, 7, 9]  // 3×2
    #expect(try ImageDecoder.decode(ImageFixtures.png(width: 3, height: 2, channels: 1, pixels: grey), source: "a")
      == DecodedImage(width: 3, height: 2, channels: 1, pixels: grey))
    // Alpha is dropped (not composited).
    let rgba: [UInt8] = [255, 0, 0, 0, 1, 2, 3, 128]
    #expect(try ImageDecoder.decode(ImageFixtures.png(width: 2, height: 1, channels: 4, pixels: rgba), source: "a").pixels == [255, 0, 0, 1, 2, 3])
    let ga: [UInt8] = [9, 0, 200, 255]
    #expect(try ImageDecoder.decode(ImageFixtures.png(width: 2, height: 1, channels: 2, pixels: ga), source: "a").pixels == [9, 200])
    // A palette image expands to RGB.
    let palette: [UInt8] = [10, 20, 30, 200, 100, 0]
    let paletted = ImageFixtures.png(width: 3, height: 1, channels: 3, pixels: [1, 0, 1], palette: palette)
    #expect(paletted[25] == 3)  // IHDR colour type 3: a palette PNG
    #expect(try ImageDecoder.decode(paletted, source: "a").pixels == [200, 100, 0, 10, 20, 30, 200, 100, 0])
    // JPEG: flat colours survive nearly unchanged.
    let flat = [UInt8](repeating: 0, count: 8 * 8 * 3).enumerated().map { i, _ in UInt8([200, 40, 90][i % 3]) }
    let decoded = try ImageDecoder.decode(ImageFixtures.jpeg(width: 8, height: 8, channels: 3, pixels: flat), source: "a")
    #expect(decoded.width == 8 && decoded.height == 8 && decoded.channels == 3)
    #expect(zip(decoded.pixels, flat).allSatisfy { abs(Int($0) - Int($1)) <= 3 })
    let greyJPEG = try ImageDecoder.decode(ImageFixtures.jpeg(width: 16, height: 8, channels: 1, pixels: [UInt8](repeating: 77, count: 128)), source: "a")
    #expect(greyJPEG.channels == 1 && greyJPEG.pixels.allSatisfy { abs(Int($0) - 77) <= 1 })
  }

  @Test func badImagesNameTheFile() throws {
    let png = ImageFixtures.png(width: 4, height: 4, channels: 1, pixels: [UInt8](repeating: 3, count: 16))
    let jpeg = ImageFixtures.jpeg(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 3, count: 64))
    func kind(_ bytes: [UInt8]) -> DataError.Kind? {
      let error = DataError.caught { _ = try ImageDecoder.decode(bytes, source: "x/img.png") }
      #expect(error?.file == "x/img.png", "\(String(describing: error))")
      return error?.kind
    }
    #expect(kind([]) == .empty)
    #expect(kind(Array("GIF89a......".utf8)) == .badMagic)
    for cut in [9, 20, 40, png.count - 13] { #expect(kind(Array(png.prefix(cut))) == .corruptData, "PNG cut at \(cut)") }
    var badCRC = png
    badCRC[29] ^= 0xFF  // IHDR CRC
    #expect(kind(badCRC) == .corruptData)
    for cut in [3, 20, jpeg.count / 2] { #expect(kind(Array(jpeg.prefix(cut))) != nil, "JPEG cut at \(cut)") }
    #expect(kind(Array(jpeg.prefix(20))) == .corruptData)
  }

  /// Writes `root/<path>` with `bytes`, creating directories.
  static func write(_ bytes: [UInt8], _ path: String, in root: URL) throws {
    let url = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
  }

  @Test func imageFolderWithTrainAndTest() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let root = directory.url
    func greyPNG(_ value: UInt8) -> [UInt8] { ImageFixtures.png(width: 4, height: 2, channels: 1, pixels: [UInt8](repeating: value, count: 8)) }
    // Classes are sorted by code point ("Zebra" < "cat" < "dog"); files by name, recursively.
    try Self.write(greyPNG(10), "train/dog/b.png", in: root)
    try Self.write(greyPNG(20), "train/dog/a.PNG", in: root)
    try Self.write(greyPNG(30), "train/cat/x.png", in: root)
    try Self.write(greyPNG(40), "train/cat/nested/y.png", in: root)
    try Self.write(greyPNG(50), "train/Zebra/z.png", in: root)
    try Self.write(Array("not an image".utf8), "train/cat/notes.txt", in: root)
    try Self.write(greyPNG(99), "train/.hidden/h.png", in: root)
    try Self.write(greyPNG(60), "test/cat/t.png", in: root)
    let (train, test) = try Dataset.imageFolder(root, normalization: .raw)
    #expect(train.classNames == ["Zebra", "cat", "dog"])
    #expect(train.labels == [0, 1, 1, 2, 2])
    #expect(train.images.shape == [5, 1, 2, 4])
    #expect(train.images.withUnsafeBufferPointer { p in (0..<5).map { p[$0 * 8] } } == [50, 40, 30, 20, 10])
    #expect(test?.labels == [1] && test?.classNames == train.classNames && test?.images.shape == [1, 1, 2, 4])

    // A colour JPEG in the test set makes both sets RGB; standardisation uses the training statistics.
    let flat = (0..<(4 * 2 * 3)).map { UInt8([200, 40, 90][$0 % 3]) }
    try Self.write(ImageFixtures.jpeg(width: 4, height: 2, channels: 3, pixels: flat), "test/dog/c.jpeg", in: root)
    let (colour, colourTest) = try Dataset.imageFolder(root, normalization: .standardized)
    #expect(colour.images.shape == [5, 3, 2, 4] && colourTest?.images.shape == [2, 3, 2, 4])
    #expect(abs(colour.images.withUnsafeBufferPointer { $0.reduce(0, +) }) < 1e-2)
    #expect(colourTest?.labels == [1, 2])

    // A test class the training set lacks is an error naming its directory.
    try Self.write(greyPNG(1), "test/emu/e.png", in: root)
    let unknown = DataError.caught { _ = try Dataset.imageFolder(root) }
    #expect(unknown?.kind == .labelOutOfRange && unknown?.file.hasSuffix("test/emu") == true)
  }

  @Test func sizesMustAgreeUnlessResized() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let root = directory.url
    try Self.write(ImageFixtures.png(width: 4, height: 4, channels: 3, pixels: [UInt8](repeating: 100, count: 48)), "a/1.png", in: root)
    try Self.write(ImageFixtures.png(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 200, count: 12)), "b/1.png", in: root)
    let error = DataError.caught { _ = try Dataset.imageFolder(root) }
    #expect(error?.kind == .countMismatch && error?.file.hasSuffix("b/1.png") == true, "\(String(describing: error))")
    for resize in [ImageResize.nearest(height: 3, width: 3), .bilinear(height: 3, width: 3)] {
      let (data, test) = try Dataset.imageFolder(root, normalization: .raw, resizing: resize)
      #expect(data.images.shape == [2, 3, 3, 3] && test == nil)
      // Flat images stay flat under either filter.
      #expect(data.images.withUnsafeBufferPointer { p in p[0..<27].allSatisfy { $0 == 100 } && p[27...].allSatisfy { $0 == 200 } })
    }
    // Bilinear interpolation of a 2×1 gradient to 4×1.
    let gradient = DecodedImage(width: 2, height: 1, channels: 1, pixels: [0, 200])
    #expect(ImageResize.bilinear(height: 1, width: 4).apply(to: gradient).pixels == [0, 50, 150, 200])
    #expect(ImageResize.nearest(height: 1, width: 4).apply(to: gradient).pixels == [0, 0, 200, 200])
  }

  @Test func missingAndCorruptFolders() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let root = directory.url
    let missing = DataError.caught { _ = try Dataset.imageFolder(root.appendingPathComponent("nope")) }
    #expect(missing?.kind == .notFound && missing?.file.hasSuffix("nope") == true)
    let noClasses = DataError.caught { _ = try Dataset.imageFolder(root) }
    #expect(noClasses?.kind == .notFound)
    try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
    let empty = DataError.caught { _ = try Dataset.imageFolder(root) }
    #expect(empty?.kind == .notFound && empty?.file.hasSuffix("empty") == true)
    try Self.write(ImageFixtures.png(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4]), "empty/ok.png", in: root)
    try Self.write(Array("definitely not a png".utf8), "empty/fake.png", in: root)
    let fake = DataError.caught { _ = try Dataset.imageFolder(root) }
    #expect(fake?.kind == .badMagic && fake?.file.hasSuffix("empty/fake.png") == true)
  }
}
