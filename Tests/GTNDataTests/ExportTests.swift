import Foundation
import Testing
@testable import GTNData

@Suite("Exports")
struct ExportTests {
  @Test func idxRoundTripGivesIdenticalBytes() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    let original = Fixtures.idxImages(count: 5, rows: 7, columns: 6)
    let file = try IDXFile(decoding: original)
    let url = tmp.file("round-trip-idx3-ubyte")
    try file.write(to: url)
    #expect(try [UInt8](Data(contentsOf: url)) == original)
    #expect(try IDXFile(contentsOf: url) == file)

    // Float images quantised from a range and read back.
    let data = try Dataset(
      images: file, labels: IDXFile(labels: [0, 1, 2, 3, 4]), classNames: Dataset.mnistClassNames,
      normalization: .minusOneToOne)
    let exported = IDXFile(images: data.images, range: -1...1)
    #expect(exported.encoded() == original)
    let labels = IDXFile(labels: data.labels)
    try labels.write(to: tmp.file("labels"))
    #expect(try IDXFile(contentsOf: tmp.file("labels")).payload == [0, 1, 2, 3, 4])
    // RGB images keep four dimensions; values outside the range are clamped.
    let rgb = IDXFile(images: Tensor(shape: [1, 3, 1, 2], scalars: [-5, 0, 0.5, 1, 2, 0.25]), range: 0...1)
    #expect(rgb.dimensions == [1, 3, 1, 2])
    #expect(rgb.payload == [0, 0, 128, 255, 255, 64])
  }

  @Test func gridPixelsLayoutAndScaling() {
    // Two 1×2×2 images in a 1×2 grid, spacing 1, scale 2.
    let images = Tensor(shape: [2, 1, 2, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
    let grid = ImageGrid(images: images, rows: 1, columns: 2, scale: 2, spacing: 1)
    #expect(grid.size == (10, 4))
    let pixels = grid.pixels()
    #expect(pixels.count == 40)
    // Row 0: image 0 (0, 1) scaled, gap, image 1 (4, 5) scaled; min–max 0…7.
    let scaled = { (v: Float) in UInt8((v * 255 / 7).rounded()) }
    #expect(Array(pixels[0..<10]) == [scaled(0), scaled(0), scaled(1), scaled(1), 0, 0, scaled(4), scaled(4), scaled(5), scaled(5)])
    #expect(Array(pixels[20..<24]) == [scaled(2), scaled(2), scaled(3), scaled(3)])
    // A fixed range clamps.
    let clamped = ImageGrid(images: images, rows: 1, columns: 2, range: 0...1, spacing: 0).pixels()
    #expect(clamped == [0, 255, 255, 255, 255, 255, 255, 255])
  }

  @Test(.enabled(if: Env.hasPython, "python3 is not on PATH; PNG is checked by decoding it with Python"))
  func pngDecodesWithPython() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    let data = DatasetTests.small(count: 6, channels: 3, height: 5, width: 4)
    let grid = ImageGrid(images: data.images, rows: 2, columns: 4, scale: 3, spacing: 1)
    let url = tmp.file("grid.png")
    try grid.write(to: url)
    let grey = ImageGrid.byClass(DatasetTests.small(count: 9), columns: 2, range: 0...900, scale: 2)
    let greyURL = tmp.file("grey.png")
    try grey.write(to: greyURL)

    let script = """
      import sys, struct, zlib
      data = open(sys.argv[1], 'rb').read()
      assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'signature'
      pos, chunks = 8, []
      while pos < len(data):
          n, = struct.unpack('>I', data[pos:pos+4]); kind = data[pos+4:pos+8]; body = data[pos+8:pos+8+n]
          crc, = struct.unpack('>I', data[pos+8+n:pos+12+n])
          assert zlib.crc32(kind + body) & 0xffffffff == crc, 'crc of ' + kind.decode()
          chunks.append((kind, body)); pos += 12 + n
      assert [k for k, _ in chunks] == [b'IHDR', b'IDAT', b'IEND'], [k for k, _ in chunks]
      w, h, depth, color, comp, filt, inter = struct.unpack('>IIBBBBB', chunks[0][1])
      raw = zlib.decompress(b''.join(b for k, b in chunks if k == b'IDAT'))
      channels = {0: 1, 2: 3}[color]
      assert len(raw) == h * (w * channels + 1), (len(raw), w, h)
      assert all(raw[y * (w * channels + 1)] == 0 for y in range(h))
      pixels = b''.join(raw[y * (w * channels + 1) + 1:(y + 1) * (w * channels + 1)] for y in range(h))
      print(w, h, depth, color, pixels.hex())
      """
    for (grid, url) in [(grid, url), (grey, greyURL)] {
      let (status, output) = try Env.runPython(script, [url.path])
      #expect(status == 0, "\(output)")
      let fields = output.split(separator: " ").map(String.init)
      try #require(fields.count == 5, "\(output)")
      #expect(Int(fields[0]) == grid.size.width)
      #expect(Int(fields[1]) == grid.size.height)
      #expect(fields[2] == "8")
      #expect(fields[3] == (grid.images.shape[1] == 1 ? "0" : "2"))
      let hex = grid.pixels().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
      #expect(fields[4].trimmingCharacters(in: .whitespacesAndNewlines) == hex)
    }
  }

  @Test(.enabled(if: Env.hasNumPy, "python3 with numpy is not available; .npy files are checked by loading them with numpy"))
  func npyLoadsWithNumPy() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    let tensor = Tensor(shape: [2, 3, 4, 5]) { b in for i in b.indices { b[i] = Float(i) * 0.5 - 7.25 } }
    try NumPyArray(tensor).write(to: tmp.file("images.npy"))
    try NumPyArray(labels: [3, -1, 9, 1 << 40]).write(to: tmp.file("labels.npy"))
    try NumPyArray(bytes: [1, 2, 255], shape: [3]).write(to: tmp.file("bytes.npy"))
    try NumPyArray(Tensor(2.5)).write(to: tmp.file("scalar.npy"))
    let script = """
      import sys, numpy as np
      d = sys.argv[1]
      a = np.load(d + '/images.npy')
      assert a.dtype == np.float32 and a.shape == (2, 3, 4, 5), (a.dtype, a.shape)
      assert np.array_equal(a.ravel(), np.arange(120, dtype=np.float32) * 0.5 - 7.25)
      l = np.load(d + '/labels.npy')
      assert l.dtype == np.int64 and l.tolist() == [3, -1, 9, 1 << 40], l
      b = np.load(d + '/bytes.npy')
      assert b.dtype == np.uint8 and b.tolist() == [1, 2, 255], b
      s = np.load(d + '/scalar.npy')
      assert s.shape == () and s == 2.5, s
      with open(d + '/images.npy', 'rb') as f:
          head = f.read(10)
      assert (10 + int.from_bytes(head[8:10], 'little')) % 64 == 0
      print('ok')
      """
    let (status, output) = try Env.runPython(script, [tmp.url.path])
    #expect(status == 0, "\(output)")
    #expect(output.contains("ok"))
  }

  /// A scatter plot draws one marker per finite point and one per legend
  /// entry, escapes its text, labels round ticks, and with the diagonal
  /// gives both axes the same range.
  @Test func scatterPlotMarksEveryPointOnSharedAxes() {
    var plot = ScatterPlot(title: "a < b & c", xLabel: "rank by truth", yLabel: "rank by proxy", showsDiagonal: true)
    plot.add(series: "top", points: (1...10).map { (Double($0), Double(11 - $0)) })
    plot.add(series: "rest", points: [(11, 12), (.nan, 3), (12, .infinity), (12, 11)])
    let svg = plot.svg()
    #expect(plot.series.map(\.points.count) == [10, 2])
    #expect(svg.components(separatedBy: "<circle").count - 1 == 12 + 2)
    #expect(svg.contains("a &lt; b &amp; c") && svg.contains("top (10)") && svg.contains("rest (2)"))
    #expect(svg.contains("stroke-dasharray") && !svg.contains("nan") && !svg.contains("inf"))
    let labels = svg.components(separatedBy: "text-anchor=\"middle\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    #expect(labels.contains("2") && labels.contains("10") && !labels.contains("2.5"))
    var plain = ScatterPlot(title: "t", xLabel: "x", yLabel: "y")
    plain.add(series: "s", points: [(0, 100), (1, 300)])
    #expect(!plain.svg().contains("stroke-dasharray") && plain.svg().contains(">300<"))
    #expect(SVGPlotting.roundTicks(from: 0.3, through: 12.4) == [2, 4, 6, 8, 10, 12])
  }
}
