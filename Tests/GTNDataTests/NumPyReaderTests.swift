import Foundation
import Testing

@testable import GTNData

/// A `.npy` file with a hand-written header of any version.
func npyFile(header: String, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
  let lengthSize = version == 1 ? 2 : 4
  var text = header
  let unpadded = 8 + lengthSize + text.utf8.count + 1
  text += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
  var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
  let n = text.utf8.count
  for i in 0..<lengthSize { bytes.append(UInt8(truncatingIfNeeded: n >> (8 * i))) }
  return bytes + Array(text.utf8) + data
}

func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
  values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}

@Suite struct NumPyReaderTests {
  @Test func everyScalarTypeRoundTrips() throws {
    let cases: [(NumPyArray.ScalarType, [UInt8], [Float], [Int]?)] = [
      (.bool, [0, 1, 1, 0, 1, 0], [0, 1, 1, 0, 1, 0], [0, 1, 1, 0, 1, 0]),
      (.uint8, [0, 1, 2, 253, 254, 255], [0, 1, 2, 253, 254, 255], [0, 1, 2, 253, 254, 255]),
      (.int8, [0, 1, 2, 253, 254, 255], [0, 1, 2, -3, -2, -1], [0, 1, 2, -3, -2, -1]),
      (.int16, littleEndianBytes([Int16(-300), 5, 0, 1, 2, 32767]), [-300, 5, 0, 1, 2, 32767], [-300, 5, 0, 1, 2, 32767]),
      (.uint16, littleEndianBytes([UInt16(65535), 5, 0, 1, 2, 3]), [65535, 5, 0, 1, 2, 3], [65535, 5, 0, 1, 2, 3]),
      (.int32, littleEndianBytes([Int32(-7), 5, 0, 1, 2, 1 << 30]), [-7, 5, 0, 1, 2, 1_073_741_824], [-7, 5, 0, 1, 2, 1_073_741_824]),
      (.uint32, littleEndianBytes([UInt32(7), 5, 0, 1, 2, 3]), [7, 5, 0, 1, 2, 3], [7, 5, 0, 1, 2, 3]),
      (.int64, littleEndianBytes([Int64(-9), 5, 0, 1, 2, 3]), [-9, 5, 0, 1, 2, 3], [-9, 5, 0, 1, 2, 3]),
      (.uint64, littleEndianBytes([UInt64(9), 5, 0, 1, 2, 3]), [9, 5, 0, 1, 2, 3], [9, 5, 0, 1, 2, 3]),
      (.float32, littleEndianBytes([Float(1.5), -2, 0, 0.25, 3, 4].map(\.bitPattern)), [1.5, -2, 0, 0.25, 3, 4], nil),
      (.float64, littleEndianBytes([Double(1.5), -2, 0, 0.25, 3, 4].map(\.bitPattern)), [1.5, -2, 0, 0.25, 3, 4], nil),
    ]
    for (type, data, floats, integers) in cases {
      let array = NumPyArray(scalarType: type, shape: [2, 3], data: data)
      let decoded = try NumPyArray(decoding: array.encoded(), source: "\(type).npy")
      #expect(decoded == array, "\(type)")
      #expect(decoded.scalarType == type)
      #expect(decoded.floatValues() == floats, "\(type)")
      #expect(decoded.integerValues() == integers, "\(type)")
    }
    // The writers' own arrays.
    let tensor = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    #expect(try NumPyArray(decoding: NumPyArray(tensor).encoded()).floatValues() == [1, 2, 3, 4])
    #expect(try NumPyArray(decoding: NumPyArray(labels: [3, 1, 4]).encoded()).integerValues() == [3, 1, 4])
    // A scalar and an empty array.
    let scalar = try NumPyArray(decoding: npyFile(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", data: [7, 0, 0, 0]))
    #expect(scalar.shape == [] && scalar.integerValues() == [7])
    let empty = try NumPyArray(decoding: npyFile(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 28, 28), }", data: []))
    #expect(empty.shape == [0, 28, 28] && empty.data.isEmpty)
  }

  @Test func versionsByteOrderAndFortranOrder() throws {
    let values: [Int32] = [1, 2, 3, 4, 5, 6]
    for version: UInt8 in [1, 2, 3] {
      let file = npyFile(
        header: "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", version: version,
        data: littleEndianBytes(values))
      #expect(try NumPyArray(decoding: file).integerValues() == [1, 2, 3, 4, 5, 6], "version \(version)")
    }
    // Big-endian data is byte-swapped; the descriptor becomes little-endian.
    let big = npyFile(header: "{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }", data: values.prefix(3).flatMap { v in withUnsafeBytes(of: v.bigEndian) { Array($0) } })
    let decodedBig = try NumPyArray(decoding: big)
    #expect(decodedBig.integerValues() == [1, 2, 3] && decodedBig.descriptor == "<i4")
    let bigDouble = npyFile(header: "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", data: [1.5, -0.25].flatMap { (v: Double) in withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) } })
    #expect(try NumPyArray(decoding: bigDouble).floatValues() == [1.5, -0.25])
    // Fortran order: column-major [[1, 2, 3], [4, 5, 6]] is stored 1 4 2 5 3 6.
    let fortran = npyFile(
      header: "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", data: littleEndianBytes([Int32(1), 4, 2, 5, 3, 6]))
    #expect(try NumPyArray(decoding: fortran).integerValues() == [1, 2, 3, 4, 5, 6])
    // Rank 3 in Fortran order.
    var columnMajor: [UInt8] = []
    for k in 0..<4 { for j in 0..<3 { for i in 0..<2 { columnMajor.append(UInt8(i * 12 + j * 4 + k)) } } }
    let fortran3 = try NumPyArray(decoding: npyFile(header: "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3, 4), }", data: columnMajor))
    #expect(fortran3.data == Array(0..<24))
    // Python 2 long suffixes, double quotes and keys in another order.
    let python2 = npyFile(header: "{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"|u1\"}", data: [9, 8])
    #expect(try NumPyArray(decoding: python2).shape == [2, 1])
  }

  @Test func badFilesNameTheFile() throws {
    let valid = NumPyArray(scalarType: .float32, shape: [2, 2], data: [UInt8](repeating: 0, count: 16)).encoded()
    func kind(_ bytes: [UInt8]) -> DataError.Kind? {
      let error = DataError.caught { _ = try NumPyArray(decoding: bytes, source: "bad.npy") }
      #expect(error?.file == "bad.npy", "\(String(describing: error))")
      return error?.kind
    }
    #expect(kind([]) == .empty)
    #expect(kind(Array("PK\u{3}\u{4}rest".utf8)) == .badMagic)
    #expect(kind(Array(valid.prefix(4))) == .truncated)
    for cut in [7, 9, 30, valid.count - 1] { #expect(kind(Array(valid.prefix(cut))) == .truncated, "cut at \(cut)") }
    #expect(kind(valid + [0]) == .trailingData)
    var version = valid
    version[6] = 4
    #expect(kind(version) == .invalidHeader)
    for header in [
      "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",  // complex
      "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }",  // float16
      "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",  // object
      "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }",  // structured
      "{'descr': '|i4', 'fortran_order': False, 'shape': (1,), }",  // no byte order for a 4-byte type
      "{'descr': '<i4', 'fortran_order': 0, 'shape': (1,), }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': [1], }",
      "{'descr': '<i4', 'fortran_order': False, }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }",
      "not a dictionary",
    ] {
      let error = DataError.caught { _ = try NumPyArray(decoding: npyFile(header: header, data: [0, 0, 0, 0]), source: "bad.npy") }
      #expect(error?.kind == .invalidHeader && error?.file == "bad.npy", "\(header): \(String(describing: error))")
    }
    // Reading a missing file names it.
    let missing = DataError.caught { _ = try NumPyArray(contentsOf: URL(fileURLWithPath: "/nonexistent/x.npy")) }
    #expect(missing?.kind == .notFound && missing?.file == "/nonexistent/x.npy")
  }

  // MARK: NPZ

  @Test func npzRoundTripStoredAndDeflated() throws {
    let images = NumPyArray(bytes: (0..<(3 * 4 * 4)).map { UInt8($0 * 5) }, shape: [3, 4, 4])
    let labels = NumPyArray(labels: [0, 2, 1])
    for compressed in [false, true] {
      let bytes = try NumPyArchive.encode([("x", images), ("y", labels)], compressed: compressed)
      let archive = try NumPyArchive(decoding: bytes, source: "a.npz")
      #expect(archive.names == ["x", "y"])
      #expect(try archive.array(named: "x") == images)
      #expect(try archive.array(named: "y.npy") == labels)
      let missing = DataError.caught { _ = try archive.array(named: "z") }
      #expect(missing?.kind == .notFound && missing?.file == "a.npz")
    }
    // One archive with a stored and a deflated member (and a non-.npy member).
    let mixed = try ZipArchive.encode([
      ("images.npy", images.encoded(), false), ("labels.npy", labels.encoded(), true), ("README", Array("hi".utf8), true),
    ])
    let archive = try NumPyArchive(decoding: mixed, source: "mixed.npz")
    #expect(archive.names == ["images", "labels", "README"])
    #expect(try archive.array(named: "images") == images && archive.array(named: "labels") == labels)
    let zip = try ZipArchive(mixed, source: "mixed.npz")
    #expect(zip.entries.map(\.method) == [0, 8, 8])
    #expect(try zip.contents(of: zip.entries[2]) == Array("hi".utf8))
    // An empty archive.
    #expect(try NumPyArchive(decoding: ZipArchive.encode([])).names.isEmpty)
  }

  @Test func badArchivesNameTheFile() throws {
    let payload = NumPyArray(bytes: [UInt8](repeating: 7, count: 300), shape: [300]).encoded()
    let stored = try ZipArchive.encode([("a.npy", payload, false)])
    let deflated = try ZipArchive.encode([("a.npy", payload, true)])
    func error(_ bytes: [UInt8]) -> DataError? {
      let error = DataError.caught {
        let archive = try NumPyArchive(decoding: bytes, source: "bad.npz")
        for name in archive.names { _ = try archive.array(named: name) }
      }
      #expect(error?.file.hasPrefix("bad.npz") == true, "\(String(describing: error))")
      return error
    }
    #expect(error([])?.kind == .empty)
    #expect(error(Array("\u{93}NUMPY".utf8) + payload)?.kind == .badMagic)
    // Every truncation is an error, never a crash.
    for cut in stride(from: 1, to: deflated.count, by: 3) { _ = error(Array(deflated.prefix(cut))) }
    #expect(error(Array(stored.prefix(stored.count - 10)))?.kind == .truncated)
    // Local header data: a flipped byte of stored data fails the CRC.
    var flipped = stored
    flipped[30 + 5 + 100] ^= 0xFF
    #expect(error(flipped)?.kind == .checksumMismatch)
    // Corrupt deflate data.
    var corrupt = deflated
    corrupt[30 + 5] = 0xFF
    corrupt[30 + 6] = 0xFF
    let corruptError = error(corrupt)
    #expect(corruptError?.kind == .corruptData || corruptError?.kind == .checksumMismatch)
    // An unsupported compression method (12, bzip2) in the central directory.
    var bzip = stored
    let directory = Int(bzip.uint32(at: bzip.count - 6))
    bzip[directory + 10] = 12
    #expect(error(bzip)?.kind == .invalidHeader)
    // An encrypted member.
    var encrypted = stored
    encrypted[directory + 8] |= 1
    #expect(error(encrypted)?.kind == .invalidHeader)
    // A member that is not a valid .npy file names the member.
    let notNPY = try ZipArchive.encode([("a.npy", Array("hello".utf8), false)])
    let inner = error(notNPY)
    #expect(inner?.kind == .badMagic && inner?.file == "bad.npz/a.npy")
  }

  // MARK: Datasets

  @Test func npzDatasetInKerasLayout() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    // Grey N×H×W uint8, labels uint8 as keras.datasets.mnist.
    let train = (0..<(4 * 2 * 3)).map { UInt8($0 * 10) }
    let test = (0..<(2 * 2 * 3)).map { UInt8(255 - $0) }
    let bytes = try NumPyArchive.encode([
      ("x_train", NumPyArray(bytes: train, shape: [4, 2, 3])), ("y_train", NumPyArray(bytes: [0, 1, 2, 1], shape: [4])),
      ("x_test", NumPyArray(bytes: test, shape: [2, 2, 3])), ("y_test", NumPyArray(bytes: [2, 0], shape: [2])),
    ], compressed: true)
    let url = try directory.write(bytes, to: "mnist.npz")
    let (raw, rawTest) = try Dataset.npz(file: url, normalization: .raw)
    #expect(raw.images.shape == [4, 1, 2, 3] && rawTest.images.shape == [2, 1, 2, 3])
    #expect(raw.images.withUnsafeBufferPointer(Array.init) == train.map(Float.init))
    #expect(raw.labels == [0, 1, 2, 1] && rawTest.labels == [2, 0] && raw.classNames == ["0", "1", "2"])
    // Standardised with the training set's statistics for both sets.
    let (standard, standardTest) = try Dataset.npz(file: url)
    let statistics = ChannelStatistics(pixels: train, channels: 1, planeSize: 6)
    let expected = test.map { (Float($0) - statistics.mean[0]) / statistics.standardDeviation[0] }
    let actual = standardTest.images.withUnsafeBufferPointer(Array.init)
    #expect(zip(actual, expected).allSatisfy { abs($0 - $1) < 1e-4 })
    #expect(abs(standard.images.withUnsafeBufferPointer { $0.reduce(0, +) }) < 1e-3)

    // Colour N×H×W×C float32 in [0, 1] (x / 255), CIFAR-style [N, 1] labels.
    let hwc: [Float] = (0..<(2 * 2 * 2 * 3)).map { Float($0) / 255 }
    let colour = try NumPyArchive.encode([
      ("x_train", NumPyArray(Tensor(shape: [2, 2, 2, 3], scalars: hwc))), ("y_train", NumPyArray(scalarType: .int64, shape: [2, 1], data: littleEndianBytes([Int64(1), 0]))),
      ("x_test", NumPyArray(Tensor(shape: [1, 2, 2, 3], scalars: Array(hwc.prefix(12))))), ("y_test", NumPyArray(labels: [1])),
    ])
    let (c, _) = try Dataset.npz(file: directory.write(colour, to: "cifar.npz"), classNames: ["cat", "dog"], normalization: .raw)
    #expect(c.images.shape == [2, 3, 2, 2] && c.labels == [1, 0] && c.classNames == ["cat", "dog"])
    // Channel 0 of image 0 is elements 0, 3, 6, 9 of the interleaved data.
    let planar = c.images.withUnsafeBufferPointer(Array.init)
    #expect(zip(planar.prefix(4), [0, 3, 6, 9]).allSatisfy { abs($0 - $1) < 1e-3 })
    #expect(zip(planar[4..<8], [1, 4, 7, 10]).allSatisfy { abs($0 - $1) < 1e-3 })

    // Mismatched counts, a missing array and bad image types name the file.
    let mismatched = try NumPyArchive.encode([
      ("x_train", NumPyArray(bytes: train, shape: [4, 2, 3])), ("y_train", NumPyArray(bytes: [0, 1, 2], shape: [3])),
      ("x_test", NumPyArray(bytes: test, shape: [2, 2, 3])), ("y_test", NumPyArray(bytes: [2, 0], shape: [2])),
    ])
    let countError = DataError.caught { _ = try Dataset.npz(file: directory.write(mismatched, to: "m.npz")) }
    #expect(countError?.kind == .countMismatch && countError?.file == "m.npz" && countError?.field == "y_train")
    let missing = try NumPyArchive.encode([("x_train", NumPyArray(bytes: train, shape: [4, 2, 3]))])
    let missingError = DataError.caught { _ = try Dataset.npz(file: directory.write(missing, to: "x.npz")) }
    #expect(missingError?.kind == .notFound && missingError?.file == "x.npz")
    let wrongType = try NumPyArchive.encode([
      ("x_train", NumPyArray(labels: [1, 2, 3, 4])), ("y_train", NumPyArray(bytes: [0, 1, 2, 3], shape: [4])),
      ("x_test", NumPyArray(bytes: test, shape: [2, 2, 3])), ("y_test", NumPyArray(bytes: [2, 0], shape: [2])),
    ])
    let typeError = DataError.caught { _ = try Dataset.npz(file: directory.write(wrongType, to: "t.npz")) }
    #expect(typeError?.kind == .invalidHeader && typeError?.file == "t.npz")
    let wrongShape = try NumPyArchive.encode([
      ("x_train", NumPyArray(bytes: train, shape: [4, 2, 3])), ("y_train", NumPyArray(bytes: [0, 1, 2, 1], shape: [4])),
      ("x_test", NumPyArray(bytes: test, shape: [2, 3, 2])), ("y_test", NumPyArray(bytes: [2, 0], shape: [2])),
    ])
    #expect(DataError.caught { _ = try Dataset.npz(file: directory.write(wrongShape, to: "s.npz")) }?.kind == .countMismatch)
    let outOfRange = DataError.caught {
      _ = try Dataset.npz(file: url, classNames: ["a", "b"])
    }
    #expect(outOfRange?.kind == .labelOutOfRange && outOfRange?.file == "mnist.npz")
  }

  @Test func npyPairsAndLayouts() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    // N×C×H×W as PyTorch saves it.
    let pixels = (0..<(2 * 3 * 2 * 2)).map { UInt8($0) }
    try NumPyArray(bytes: pixels, shape: [2, 3, 2, 2]).write(to: directory.file("x.npy"))
    try NumPyArray(scalarType: .int32, shape: [2], data: littleEndianBytes([Int32(4), 1])).write(to: directory.file("y.npy"))
    let data = try Dataset.npy(images: directory.file("x.npy"), labels: directory.file("y.npy"), normalization: .raw)
    #expect(data.images.shape == [2, 3, 2, 2] && data.images.withUnsafeBufferPointer(Array.init) == pixels.map(Float.init))
    #expect(data.labels == [4, 1] && data.classNames.count == 5)
    // An explicit layout overrides the detection ([N, 3, 4, 3] would be NCHW).
    let hwc = NumPyArray(bytes: Array(repeating: 1, count: 36), shape: [1, 3, 4, 3])
    #expect(try Dataset(images: hwc, labels: NumPyArray(labels: [0]), layout: .nhwc, normalization: .raw).images.shape == [1, 3, 3, 4])
    #expect(ImageLayout.detect(shape: [60000, 28, 28]) == .nhw)
    #expect(ImageLayout.detect(shape: [5, 32, 32, 3]) == .nhwc)
    #expect(ImageLayout.detect(shape: [5, 3, 32, 32]) == .nchw)
    #expect(ImageLayout.detect(shape: [5, 1, 28, 1]) == .nchw)
    #expect(ImageLayout.detect(shape: [5, 4, 4, 3]) == .nhwc)
    #expect(ImageLayout.detect(shape: [5, 3, 4, 4]) == .nchw)
    #expect(ImageLayout.detect(shape: [5, 3, 3, 3]) == .nchw)
    #expect(ImageLayout.detect(shape: [5, 32, 32, 7]) == nil)
    #expect(ImageLayout.detect(shape: [5, 784]) == nil)
    // Float labels must be whole numbers; bool labels are refused.
    #expect(try Dataset(images: hwc, labels: NumPyArray(Tensor(shape: [1], scalars: [2])), layout: .nhwc, normalization: .raw).labels == [2])
    let fraction = DataError.caught { _ = try Dataset(images: hwc, labels: NumPyArray(Tensor(shape: [1], scalars: [0.5])), layout: .nhwc, normalization: .raw, source: "f") }
    #expect(fraction?.kind == .labelOutOfRange && fraction?.file == "f")
    let odd = DataError.caught { _ = try Dataset(images: NumPyArray(bytes: [1, 2], shape: [1, 2]), labels: NumPyArray(labels: [0]), normalization: .raw, source: "o") }
    #expect(odd?.kind == .invalidHeader && odd?.file == "o")
    // A truncated labels file names that file.
    let cut = Array(try Data(contentsOf: directory.file("y.npy"))).dropLast()
    let labelsURL = try directory.write(Array(cut), to: "cut.npy")
    let truncated = DataError.caught { _ = try Dataset.npy(images: directory.file("x.npy"), labels: labelsURL) }
    #expect(truncated?.kind == .truncated && truncated?.file == "cut.npy")
  }

  @Test func inMemoryInitialisers() throws {
    // NHWC bytes are reordered to NCHW and normalised.
    let pixels: [UInt8] = [0, 255, 51, 102, 153, 204]  // one 2×1 image, 3 channels interleaved
    let data = try Dataset(pixels: pixels, shape: [1, 2, 1, 3], labels: [1], normalization: .zeroToOne)
    #expect(data.images.shape == [1, 3, 2, 1])
    #expect(data.images.withUnsafeBufferPointer(Array.init) == [0, 0.4, 1, 0.6, 0.2, 0.8])
    #expect(data.classNames == ["0", "1"])
    // Floats are kept as given without a normalisation.
    let values: [Float] = [-1, 0.5, 2, 3]
    let kept = try Dataset(values: values, shape: [1, 2, 2], labels: [0], classNames: ["only"])
    #expect(kept.images.withUnsafeBufferPointer(Array.init) == values && kept.images.shape == [1, 1, 2, 2])
    // Floats in [0, 1] normalise as x / 255 pixels.
    let scaled = try Dataset(values: [0, 0.5, 1, 1], shape: [1, 2, 2], labels: [0], normalization: .minusOneToOne)
    #expect(scaled.images.withUnsafeBufferPointer(Array.init) == [-1, 0, 1, 1])
    // Standardised data has mean 0 per channel.
    let standard = try Dataset(pixels: (0..<48).map { UInt8($0 * 5) }, shape: [2, 2, 4, 3], labels: [0, 1], normalization: .standardized)
    let sums = standard.images.withUnsafeBufferPointer { p in (0..<3).map { c in (0..<2).map { n in p[(n * 3 + c) * 8..<(n * 3 + c) * 8 + 8].reduce(0, +) }.reduce(0, +) } }
    #expect(sums.allSatisfy { abs($0) < 1e-3 })
    // Errors name the source.
    let wrongCount = DataError.caught { _ = try Dataset(pixels: [1, 2, 3], shape: [1, 2, 2], labels: [0], normalization: .raw, source: "mem") }
    #expect(wrongCount?.kind == .countMismatch && wrongCount?.file == "mem")
    let labels = DataError.caught { _ = try Dataset(pixels: [1, 2, 3, 4], shape: [1, 2, 2], labels: [0, 1], normalization: .raw, source: "mem") }
    #expect(labels?.kind == .countMismatch)
    let range = DataError.caught { _ = try Dataset(values: [1, 2, 3, 4], shape: [1, 2, 2], labels: [3], classNames: ["a"], source: "mem") }
    #expect(range?.kind == .labelOutOfRange && range?.file == "mem")
    let negative = DataError.caught { _ = try Dataset(values: [1, 2, 3, 4], shape: [1, 2, 2], labels: [-1], source: "mem") }
    #expect(negative?.kind == .labelOutOfRange)
    let stats = DataError.caught {
      _ = try Dataset(pixels: [UInt8](repeating: 0, count: 12), shape: [1, 2, 2, 3], labels: [0], normalization: .standardizedWith(.mnist), source: "mem")
    }
    #expect(stats?.kind == .countMismatch)
    // Float statistics agree with byte statistics.
    let bytes: [UInt8] = (0..<32).map { UInt8($0 * 7) }
    let fromBytes = ChannelStatistics(pixels: bytes, channels: 2, planeSize: 4)
    let fromFloats = ChannelStatistics(values: bytes.map(Float.init), channels: 2, planeSize: 4)
    #expect(zip(fromBytes.mean + fromBytes.standardDeviation, fromFloats.mean + fromFloats.standardDeviation).allSatisfy { abs($0 - $1) < 1e-3 })
  }

  // MARK: NumPy itself

  @Test(.enabled(if: Env.hasNumPy)) func readsWhatNumPyWrites() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let script = """
      import numpy as np, sys
      d = sys.argv[1]
      x = (np.arange(2 * 3 * 4) % 256).astype(np.uint8).reshape(2, 3, 4)
      np.save(d + '/u1.npy', x)
      np.save(d + '/f4.npy', (np.arange(6, dtype=np.float32) / 4).reshape(2, 3))
      np.save(d + '/f8be.npy', np.arange(6, dtype='>f8').reshape(3, 2))
      np.save(d + '/i8fortran.npy', np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3)))
      np.save(d + '/b1.npy', np.array([True, False, True]))
      np.save(d + '/i1.npy', np.array([-3, 4], dtype=np.int8))
      np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.arange(3, dtype=np.int32), version=(2, 0))
      np.lib.format.write_array(open(d + '/v3.npy', 'wb'), np.arange(3, dtype=np.int32), version=(3, 0))
      xt = (np.arange(5 * 4 * 4 * 3) % 256).astype(np.uint8).reshape(5, 4, 4, 3)
      yt = np.array([0, 1, 2, 1, 0], dtype=np.uint8)
      np.savez(d + '/plain.npz', x_train=xt, y_train=yt, x_test=xt[:2], y_test=yt[:2])
      np.savez_compressed(d + '/compressed.npz', x_train=xt, y_train=yt, x_test=xt[:2], y_test=yt[:2])
      """
    let result = try Env.runPython(script, [directory.url.path])
    #expect(result.status == 0, "\(result.output)")
    func read(_ name: String) throws -> NumPyArray { try NumPyArray(contentsOf: directory.file(name)) }
    #expect(try read("u1.npy").data == (0..<24).map(UInt8.init) && read("u1.npy").shape == [2, 3, 4])
    #expect(try read("f4.npy").floatValues() == [0, 0.25, 0.5, 0.75, 1, 1.25])
    #expect(try read("f8be.npy").floatValues() == [0, 1, 2, 3, 4, 5] && read("f8be.npy").shape == [3, 2])
    #expect(try read("i8fortran.npy").integerValues() == [0, 1, 2, 3, 4, 5])
    #expect(try read("b1.npy").integerValues() == [1, 0, 1])
    #expect(try read("i1.npy").integerValues() == [-3, 4])
    #expect(try read("v2.npy").integerValues() == [0, 1, 2] && read("v3.npy").integerValues() == [0, 1, 2])
    for name in ["plain.npz", "compressed.npz"] {
      let (train, test) = try Dataset.npz(file: directory.file(name), normalization: .raw)
      #expect(train.images.shape == [5, 3, 4, 4] && test.images.shape == [2, 3, 4, 4], "\(name)")
      #expect(train.labels == [0, 1, 2, 1, 0] && test.labels == [0, 1])
      // Pixel (y 0, x 1) of channel 2 of image 0 is interleaved element 1 * 3 + 2.
      #expect(train.images.withUnsafeBufferPointer { $0[2 * 16 + 1] } == 5)
    }
    // And NumPy reads what this package writes.
    let written = try NumPyArchive.encode(
      [("a", NumPyArray(bytes: [1, 2, 3], shape: [3])), ("b", NumPyArray(labels: [7]))], compressed: true)
    let url = try directory.write(written, to: "ours.npz")
    let check = try Env.runPython("import numpy as np, sys; z = np.load(sys.argv[1]); print(z['a'].tolist(), z['b'].tolist())", [url.path])
    #expect(check.output.trimmingCharacters(in: .whitespacesAndNewlines) == "[1, 2, 3] [7]", "\(check.output)")
  }
}
