import Foundation

/// How the images of an array are laid out: which axis holds the channels.
///
/// Arrays saved from Keras or NumPy are usually `N × H × W` (grey) or
/// `N × H × W × C`; arrays saved from PyTorch `N × C × H × W`.
/// ``detect(shape:)`` guesses from the shape; pass a layout explicitly when
/// the guess would be wrong.
///
/// ```swift
/// print(ImageLayout.detect(shape: [60000, 28, 28])!)      // nhw
/// print(ImageLayout.detect(shape: [50000, 32, 32, 3])!)   // nhwc
/// print(ImageLayout.detect(shape: [50000, 3, 32, 32])!)   // nchw
/// ```
public enum ImageLayout: String, Sendable, CaseIterable {
  /// `[N, H, W]`: one channel.
  case nhw
  /// `[N, H, W, C]`: channels last, interleaved (Keras, NumPy, TensorFlow).
  case nhwc
  /// `[N, C, H, W]`: channels first, planar (PyTorch and this package).
  case nchw

  /// The number of dimensions of an array in this layout.
  public var rank: Int { self == .nhw ? 3 : 4 }

  /// Guesses the layout of an array of images from its shape.
  ///
  /// The rule, first match wins:
  /// 1. rank 3 → ``nhw`` (one channel);
  /// 2. rank 4 whose last dimension is 1, 3 or 4 (grey, RGB, RGBA) and whose
  ///    second is not → ``nhwc``;
  /// 3. rank 4 whose second dimension is 1, 3 or 4 and whose last is not →
  ///    ``nchw``;
  /// 4. rank 4 where both could hold channels: ``nhwc`` if the images are
  ///    square that way (`[N, 4, 4, 3]`), otherwise ``nchw`` (`[N, 3, 4, 4]`,
  ///    `[N, 3, 3, 3]`);
  /// 5. anything else → `nil`.
  ///
  /// - Parameter shape: The array's shape, `N` first.
  /// - Returns: The layout, or `nil` if the shape does not look like images.
  public static func detect(shape: [Int]) -> ImageLayout? {
    let channelCounts: Set<Int> = [1, 3, 4]
    switch shape.count {
    case 3: return .nhw
    case 4:
      switch (channelCounts.contains(shape[1]), channelCounts.contains(shape[3])) {
      case (false, true): return .nhwc
      case (true, false): return .nchw
      case (true, true): return shape[1] == shape[2] && shape[2] != shape[3] ? .nhwc : .nchw
      case (false, false): return nil
      }
    default: return nil
    }
  }

  /// `[N, C, H, W]` for an array of `shape` in this layout.
  func planarShape(_ shape: [Int]) -> [Int] {
    switch self {
    case .nhw: [shape[0], 1, shape[1], shape[2]]
    case .nhwc: [shape[0], shape[3], shape[1], shape[2]]
    case .nchw: shape
    }
  }
}

/// Pixels in `[N, C, H, W]` order, before normalisation: bytes, or floats
/// on the 0…255 scale.
enum PlanarPixels {
  case bytes([UInt8])
  case floats([Float])

  var count: Int {
    switch self {
    case .bytes(let b): b.count
    case .floats(let f): f.count
    }
  }

  /// Reorders `[N, H, W, C]` elements into `[N, C, H, W]`.
  static func planar<T>(_ values: [T], count n: Int, height: Int, width: Int, channels: Int) -> [T] {
    guard channels > 1, !values.isEmpty else { return values }
    let plane = height * width
    return [T](unsafeUninitializedCapacity: values.count) { out, initialized in
      values.withUnsafeBufferPointer { source in
        for image in 0..<n {
          let base = image * plane * channels
          for p in 0..<plane {
            for c in 0..<channels {
              (out.baseAddress! + base + c * plane + p).initialize(to: source[base + p * channels + c])
            }
          }
        }
      }
      initialized = values.count
    }
  }

  /// The exact per-channel statistics, on the 0…255 scale.
  func statistics(channels: Int, planeSize: Int) -> ChannelStatistics {
    switch self {
    case .bytes(let b): ChannelStatistics(pixels: b, channels: channels, planeSize: planeSize)
    case .floats(let f): ChannelStatistics(values: f, channels: channels, planeSize: planeSize)
    }
  }

  /// The normalised tensor of shape `[N, C, H, W]`.
  func tensor(shape: [Int], normalization: Normalization, statistics: ChannelStatistics) -> Tensor {
    switch self {
    case .bytes(let b):
      return Dataset.normalizedTensor(b, shape: shape, normalization: normalization, statistics: statistics)
    case .floats(let f):
      let channels = shape[1]
      let plane = shape[2] * shape[3]
      return Tensor(shape: shape) { out in
        var offset = 0
        while offset < f.count {
          for c in 0..<channels {
            for i in offset..<(offset + plane) { out[i] = normalization.value(f[i], channel: c, statistics: statistics) }
            offset += plane
          }
        }
      }
    }
  }
}

extension ChannelStatistics {
  /// Computes the statistics of planar floating-point images.
  ///
  /// ```swift
  /// let s = ChannelStatistics(values: pixels, channels: 3, planeSize: 32 * 32)
  /// ```
  ///
  /// - Parameters:
  ///   - values: Images of `channels × planeSize` values each, channel
  ///     planes one after the other, on the 0…255 scale.
  ///   - channels: The number of channels.
  ///   - planeSize: The number of pixels in one channel plane (height × width).
  /// - Complexity: O(n) for n values (sums in `Double`).
  public init(values: [Float], channels: Int, planeSize: Int) {
    let imageSize = channels * planeSize
    precondition(
      channels > 0 && planeSize > 0 && !values.isEmpty && values.count % imageSize == 0,
      "cannot compute statistics of \(values.count) values as images of \(channels)×\(planeSize)")
    var sums = [Double](repeating: 0, count: channels)
    var squares = [Double](repeating: 0, count: channels)
    var offset = 0
    while offset < values.count {
      for c in 0..<channels {
        var (s, q) = (0.0, 0.0)
        for i in offset..<(offset + planeSize) {
          let v = Double(values[i])
          s += v
          q += v * v
        }
        sums[c] += s
        squares[c] += q
        offset += planeSize
      }
    }
    let n = Double(values.count / channels)
    let means = sums.map { $0 / n }
    let deviations = (0..<channels).map { c in Float(Swift.max(squares[c] / n - means[c] * means[c], 1e-6).squareRoot()) }
    self.init(mean: means.map { Float($0) }, standardDeviation: deviations)
  }
}

extension Dataset {
  // MARK: - In memory

  /// Creates a dataset from 8-bit pixels in memory.
  ///
  /// ```swift
  /// let pixels: [UInt8] = Array(repeating: 128, count: 2 * 28 * 28)
  /// let data = try Dataset(
  ///   pixels: pixels, shape: [2, 28, 28], labels: [3, 7], classNames: Dataset.mnistClassNames,
  ///   normalization: .zeroToOne)
  /// print(data.images.shape)   // [2, 1, 28, 28]
  /// ```
  ///
  /// - Parameters:
  ///   - pixels: The pixel values 0…255 in the order `layout` describes.
  ///   - shape: `[N, H, W]`, `[N, H, W, C]` or `[N, C, H, W]`.
  ///   - layout: The layout of `shape`; `nil` detects it with
  ///     ``ImageLayout/detect(shape:)``.
  ///   - labels: One class index per image.
  ///   - classNames: The class names; `nil` names the classes `"0"`,
  ///     `"1"`, … up to the largest label.
  ///   - normalization: How pixel values become floats.
  ///   - statistics: The statistics for `.standardized`; computed from the
  ///     pixels when `nil`.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` if the shape, the pixel count and the labels disagree.
  /// - Complexity: O(n) in the number of pixels.
  public init(
    pixels: [UInt8], shape: [Int], layout: ImageLayout? = nil, labels: [Int], classNames: [String]? = nil,
    normalization: Normalization, statistics: ChannelStatistics? = nil, source: String = "<memory>"
  ) throws {
    let (planarShape, layout) = try Dataset.planarShape(shape, layout: layout, count: pixels.count, source: source, field: "images")
    let planar = PlanarPixels.bytes(
      layout == .nhwc ? PlanarPixels.planar(pixels, count: shape[0], height: shape[1], width: shape[2], channels: shape[3]) : pixels)
    try self.init(
      planar: planar, shape: planarShape, labels: labels, classNames: classNames, normalization: normalization,
      statistics: statistics, source: source)
  }

  /// Creates a dataset from floating-point pixels in memory.
  ///
  /// With `normalization: nil` the values become the images unchanged
  /// (reordered to `[N, C, H, W]`). With a ``Normalization`` they are read
  /// as pixel values: on the 0…1 scale when every value lies in `[0, 1]`,
  /// on the 0…255 scale otherwise, and normalised as 8-bit pixels would be.
  ///
  /// ```swift
  /// let values = [Float](repeating: 0.5, count: 4 * 8 * 8 * 3)
  /// let data = try Dataset(values: values, shape: [4, 8, 8, 3], labels: [0, 1, 0, 1])
  /// print(data.images.shape, data.classNames)   // [4, 3, 8, 8] ["0", "1"]
  /// ```
  ///
  /// - Parameters:
  ///   - values: The image values in the order `layout` describes.
  ///   - shape: `[N, H, W]`, `[N, H, W, C]` or `[N, C, H, W]`.
  ///   - layout: The layout of `shape`; `nil` detects it with
  ///     ``ImageLayout/detect(shape:)``.
  ///   - labels: One class index per image.
  ///   - classNames: The class names; `nil` names the classes `"0"`,
  ///     `"1"`, … up to the largest label.
  ///   - normalization: `nil` to keep the values, or how pixel values become floats.
  ///   - statistics: The statistics for `.standardized`; computed from the
  ///     values when `nil`.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` if the shape, the value count and the labels disagree.
  /// - Complexity: O(n) in the number of values.
  public init(
    values: [Float], shape: [Int], layout: ImageLayout? = nil, labels: [Int], classNames: [String]? = nil,
    normalization: Normalization? = nil, statistics: ChannelStatistics? = nil, source: String = "<memory>"
  ) throws {
    let (planarShape, layout) = try Dataset.planarShape(shape, layout: layout, count: values.count, source: source, field: "images")
    var planar = layout == .nhwc ? PlanarPixels.planar(values, count: shape[0], height: shape[1], width: shape[2], channels: shape[3]) : values
    guard let normalization else {
      let names = try Dataset.classNames(classNames, labels: [labels], source: source)
      try Dataset.checkLabels(labels, count: planarShape[0], classCount: names.count, source: source, field: "labels")
      self.init(images: Tensor(shape: planarShape, scalars: planar), labels: labels, classNames: names)
      return
    }
    Dataset.scaleToBytes(&planar)
    try self.init(
      planar: .floats(planar), shape: planarShape, labels: labels, classNames: classNames, normalization: normalization,
      statistics: statistics, source: source)
  }

  /// Creates a dataset from planar pixels, checking the labels.
  init(
    planar: PlanarPixels, shape: [Int], labels: [Int], classNames: [String]?,
    normalization: Normalization, statistics: ChannelStatistics?, source: String
  ) throws {
    let names = try Dataset.classNames(classNames, labels: [labels], source: source)
    try Dataset.checkLabels(labels, count: shape[0], classCount: names.count, source: source, field: "labels")
    let statistics = try statistics ?? Dataset.defaultStatistics(planar, shape: shape, normalization: normalization)
    try Dataset.checkStatistics(statistics, channels: shape[1], normalization: normalization, source: source)
    self.init(images: planar.tensor(shape: shape, normalization: normalization, statistics: statistics), labels: labels, classNames: names)
  }

  // MARK: - NumPy and safetensors arrays

  /// Creates a dataset from an array of images and an array of labels,
  /// as read from `.npy`, `.npz` or safetensors files.
  ///
  /// Images must be `uint8` (pixel values 0…255), `float32` or `float64`
  /// (pixel values on the 0…1 scale when every value lies in `[0, 1]`,
  /// otherwise on the 0…255 scale), in the layout `layout` names or
  /// ``ImageLayout/detect(shape:)`` detects. Labels must be integers (or
  /// whole floating-point numbers) of shape `[N]` or `[N, 1]`.
  ///
  /// ```swift
  /// let data = try Dataset(
  ///   images: NumPyArray(contentsOf: directory.appending(path: "images.npy")),
  ///   labels: NumPyArray(contentsOf: directory.appending(path: "labels.npy")),
  ///   normalization: .zeroToOne)
  /// ```
  ///
  /// - Parameters:
  ///   - images: The images.
  ///   - labels: One class index per image.
  ///   - layout: The layout of the images; `nil` detects it.
  ///   - classNames: The class names; `nil` names the classes `"0"`, `"1"`,
  ///     … up to the largest label.
  ///   - normalization: How pixel values become floats.
  ///   - statistics: The statistics for `.standardized`; computed from the
  ///     images when `nil`.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` if an array has the wrong type or shape, the
  ///   counts disagree, or a label is out of range.
  /// - Complexity: O(n) in the number of pixels.
  public init(
    images: NumPyArray, labels: NumPyArray, layout: ImageLayout? = nil, classNames: [String]? = nil,
    normalization: Normalization, statistics: ChannelStatistics? = nil, source: String = "arrays"
  ) throws {
    let (planar, shape) = try Dataset.planarPixels(images, layout: layout, source: source, field: "images")
    let labelValues = try Dataset.labelValues(labels, count: shape[0], source: source, field: "labels")
    try self.init(
      planar: planar, shape: shape, labels: labelValues, classNames: classNames, normalization: normalization,
      statistics: statistics, source: source)
  }

  /// Loads a training and a test set from an `.npz` archive in Keras's
  /// layout: the arrays `x_train`, `y_train`, `x_test` and `y_test`, as
  /// `keras.datasets.mnist.load_data()` reads them from `mnist.npz`.
  ///
  /// Images are `uint8`, `float32` or `float64` of shape `N × H × W`,
  /// `N × H × W × C` or `N × C × H × W`, detected as
  /// ``ImageLayout/detect(shape:)`` describes unless `layout` is given.
  /// `.standardized` uses statistics computed from the training images for
  /// both sets.
  ///
  /// ```swift
  /// let (train, test) = try Dataset.npz(file: URL(fileURLWithPath: "mnist.npz"), normalization: .standardized)
  /// print(train.images.shape, test.count)   // [60000, 1, 28, 28] 10000
  /// ```
  ///
  /// - Parameters:
  ///   - url: The `.npz` file.
  ///   - layout: The layout of both image arrays; `nil` detects it.
  ///   - classNames: The class names; `nil` names the classes `"0"`, `"1"`,
  ///     … up to the largest label of either set.
  ///   - normalization: How pixel values become floats.
  /// - Throws: ``DataError`` if the file is missing or invalid, an array is
  ///   missing or has the wrong type or shape, or the sets disagree in
  ///   image shape.
  /// - Complexity: O(n) in the size of the archive.
  public static func npz(
    file url: URL, layout: ImageLayout? = nil, classNames: [String]? = nil, normalization: Normalization = .standardized
  ) throws -> (train: Dataset, test: Dataset) {
    let archive = try NumPyArchive(contentsOf: url)
    return try splits(
      train: (archive.array(named: "x_train"), archive.array(named: "y_train")),
      test: (archive.array(named: "x_test"), archive.array(named: "y_test")),
      layout: layout, classNames: classNames, normalization: normalization, source: url.lastPathComponent,
      fields: ["x_train", "y_train", "x_test", "y_test"])
  }

  /// Loads a dataset from a `.npy` file of images and one of labels.
  ///
  /// ```swift
  /// let test = try Dataset.npy(
  ///   images: directory.appending(path: "x_test.npy"), labels: directory.appending(path: "y_test.npy"),
  ///   normalization: .zeroToOne)
  /// ```
  ///
  /// - Parameters:
  ///   - images: The `.npy` file of images (see ``init(images:labels:layout:classNames:normalization:statistics:source:)``).
  ///   - labels: The `.npy` file of labels.
  ///   - layout: The layout of the images; `nil` detects it.
  ///   - classNames: The class names; `nil` names the classes by number.
  ///   - normalization: How pixel values become floats.
  ///   - statistics: The statistics for `.standardized` (pass the training
  ///     set's for a test set); computed from these images when `nil`.
  /// - Throws: ``DataError`` if a file is missing or invalid or they disagree.
  /// - Complexity: O(n) in the size of the files.
  public static func npy(
    images: URL, labels: URL, layout: ImageLayout? = nil, classNames: [String]? = nil,
    normalization: Normalization = .standardized, statistics: ChannelStatistics? = nil
  ) throws -> Dataset {
    try Dataset(
      images: NumPyArray(contentsOf: images), labels: NumPyArray(contentsOf: labels), layout: layout,
      classNames: classNames, normalization: normalization, statistics: statistics,
      source: images.lastPathComponent + " + " + labels.lastPathComponent)
  }

  /// Loads a dataset from a safetensors file holding an images tensor and
  /// a labels tensor.
  ///
  /// ```swift
  /// let data = try Dataset.safetensors(
  ///   file: URL(fileURLWithPath: "train.safetensors"), imagesName: "x", labelsName: "y")
  /// ```
  ///
  /// - Parameters:
  ///   - url: The safetensors file.
  ///   - imagesName: The name of the images tensor (`U8`, `F32` or `F64`;
  ///     see ``init(images:labels:layout:classNames:normalization:statistics:source:)``).
  ///   - labelsName: The name of the labels tensor (any integer dtype).
  ///   - layout: The layout of the images; `nil` detects it.
  ///   - classNames: The class names; `nil` names the classes by number.
  ///   - normalization: How pixel values become floats.
  ///   - statistics: The statistics for `.standardized`; computed from these
  ///     images when `nil`.
  /// - Throws: ``DataError`` if the file is missing or invalid, a tensor is
  ///   missing or has the wrong dtype or shape, or the counts disagree.
  /// - Complexity: O(n) in the size of the file.
  public static func safetensors(
    file url: URL, imagesName: String = "images", labelsName: String = "labels", layout: ImageLayout? = nil,
    classNames: [String]? = nil, normalization: Normalization = .standardized, statistics: ChannelStatistics? = nil
  ) throws -> Dataset {
    let file = try SafetensorsFile(contentsOf: url)
    let source = url.lastPathComponent
    func tensor(_ name: String) throws -> NumPyArray {
      guard let array = file.arrays[name] else {
        throw DataError(
          .notFound, file: source, field: "tensor '\(name)'", expected: "a tensor named '\(name)'",
          found: "tensors \(file.arrays.keys.sorted().map { "'\($0)'" }.joined(separator: ", "))")
      }
      return array
    }
    let images = try tensor(imagesName)
    let labels = try tensor(labelsName)
    let (planar, shape) = try planarPixels(images, layout: layout, source: source, field: "tensor '\(imagesName)'")
    let labelValues = try labelValues(labels, count: shape[0], source: source, field: "tensor '\(labelsName)'")
    return try Dataset(
      planar: planar, shape: shape, labels: labelValues, classNames: classNames, normalization: normalization,
      statistics: statistics, source: source)
  }

  /// A training and a test set whose `.standardized` statistics both come
  /// from the training images.
  static func splits(
    train: (images: NumPyArray, labels: NumPyArray), test: (images: NumPyArray, labels: NumPyArray),
    layout: ImageLayout?, classNames: [String]?, normalization: Normalization, source: String, fields: [String]
  ) throws -> (train: Dataset, test: Dataset) {
    let (trainPixels, trainShape) = try planarPixels(train.images, layout: layout, source: source, field: fields[0])
    let trainLabels = try labelValues(train.labels, count: trainShape[0], source: source, field: fields[1])
    let (testPixels, testShape) = try planarPixels(test.images, layout: layout, source: source, field: fields[2])
    let testLabels = try labelValues(test.labels, count: testShape[0], source: source, field: fields[3])
    guard trainShape.dropFirst() == testShape.dropFirst() else {
      throw DataError(
        .countMismatch, file: source, field: fields[2], expected: "test images of the training images' shape \(Array(trainShape.dropFirst())) [C, H, W]",
        found: "\(Array(testShape.dropFirst()))")
    }
    let names = try Dataset.classNames(classNames, labels: [trainLabels, testLabels], source: source)
    let statistics = try defaultStatistics(trainPixels, shape: trainShape, normalization: normalization)
    return (
      try Dataset(
        planar: trainPixels, shape: trainShape, labels: trainLabels, classNames: names, normalization: normalization,
        statistics: statistics, source: source),
      try Dataset(
        planar: testPixels, shape: testShape, labels: testLabels, classNames: names, normalization: normalization,
        statistics: statistics, source: source)
    )
  }

  // MARK: - Checks and conversions

  /// The `[N, C, H, W]` shape of images of `shape` in `layout` (detected when `nil`).
  static func planarShape(
    _ shape: [Int], layout: ImageLayout?, count: Int?, source: String, field: String
  ) throws -> (shape: [Int], layout: ImageLayout) {
    guard let layout = layout ?? ImageLayout.detect(shape: shape) else {
      throw DataError(
        .invalidHeader, file: source, field: "shape of \(field)",
        expected: "[N, H, W], [N, H, W, C] or [N, C, H, W] with C in 1, 3, 4 (or an explicit layout)", found: "\(shape)")
    }
    guard shape.count == layout.rank, shape.allSatisfy({ $0 >= 0 }) else {
      throw DataError(
        .invalidHeader, file: source, field: "shape of \(field)",
        expected: "\(layout.rank) non-negative dimensions for layout \(layout.rawValue)", found: "\(shape)")
    }
    let planar = layout.planarShape(shape)
    guard planar[1] > 0, planar[2] > 0, planar[3] > 0 else {
      throw DataError(
        .invalidHeader, file: source, field: "shape of \(field)", expected: "at least one channel, row and column", found: "\(shape)")
    }
    let (product, overflow) = shape.reduce((1, false)) { acc, d in
      let (p, o) = acc.0.multipliedReportingOverflow(by: d)
      return (p, acc.1 || o)
    }
    if let count, overflow || product != count {
      throw DataError(
        .countMismatch, file: source, field: field, expected: "\(overflow ? "a product of" : String(product)) values for shape \(shape)",
        found: "\(count) values")
    }
    return (planar, layout)
  }

  /// The images of `array` in `[N, C, H, W]` order, bytes or floats on the 0…255 scale.
  static func planarPixels(
    _ array: NumPyArray, layout: ImageLayout?, source: String, field: String
  ) throws -> (PlanarPixels, [Int]) {
    let (shape, layout) = try planarShape(array.shape, layout: layout, count: nil, source: source, field: field)
    let n = array.shape[0]
    let (h, w, c) = (shape[2], shape[3], shape[1])
    switch array.scalarType {
    case .uint8?:
      let bytes = layout == .nhwc ? PlanarPixels.planar(array.data, count: n, height: h, width: w, channels: c) : array.data
      return (.bytes(bytes), shape)
    case .float32?, .float64?:
      var values = array.floatValues()!
      if layout == .nhwc { values = PlanarPixels.planar(values, count: n, height: h, width: w, channels: c) }
      scaleToBytes(&values)
      return (.floats(values), shape)
    default:
      throw DataError(
        .invalidHeader, file: source, field: "type of \(field)", expected: "uint8, float32 or float64 images",
        found: array.scalarType.map { "\($0)" } ?? "'\(array.descriptor)'")
    }
  }

  /// Multiplies values by 255 when all lie in `[0, 1]`.
  static func scaleToBytes(_ values: inout [Float]) {
    guard values.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { return }
    for i in values.indices { values[i] *= 255 }
  }

  /// The labels of an integer (or whole-valued float) array of shape `[N]` or `[N, 1]`.
  static func labelValues(_ array: NumPyArray, count: Int, source: String, field: String) throws -> [Int] {
    guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
      throw DataError(.invalidHeader, file: source, field: "shape of \(field)", expected: "[N] or [N, 1] labels", found: "\(array.shape)")
    }
    guard array.shape[0] == count else {
      throw DataError(
        .countMismatch, file: source, field: field, expected: "as many labels as images (\(count))", found: "\(array.shape[0]) labels")
    }
    guard let type = array.scalarType, type != .bool else {
      throw DataError(
        .invalidHeader, file: source, field: "type of \(field)", expected: "integer labels",
        found: array.scalarType.map { "\($0)" } ?? "'\(array.descriptor)'")
    }
    if let values = array.integerValues() { return values }
    let floats = array.floatValues() ?? []
    var labels: [Int] = []
    labels.reserveCapacity(floats.count)
    for (i, value) in floats.enumerated() {
      guard value.rounded() == value, abs(value) < 1e9 else {
        throw DataError(
          .labelOutOfRange, file: source, field: "\(field) \(i)", expected: "a whole-number label", found: "\(value)")
      }
      labels.append(Int(value))
    }
    return labels
  }

  /// The given class names, or `"0"`…`"m"` for the largest label m.
  static func classNames(_ names: [String]?, labels: [[Int]], source: String) throws -> [String] {
    if let names { return names }
    let largest = labels.compactMap { $0.max() }.max() ?? -1
    guard largest < 1 << 24 else {
      throw DataError(.labelOutOfRange, file: source, field: "labels", expected: "labels below 16,777,216 when no class names are given", found: "\(largest)")
    }
    return (0...Swift.max(largest, 0)).map(String.init)
  }

  /// Checks the label count and that each label indexes a class.
  static func checkLabels(_ labels: [Int], count: Int, classCount: Int, source: String, field: String) throws {
    guard labels.count == count else {
      throw DataError(.countMismatch, file: source, field: field, expected: "as many labels as images (\(count))", found: "\(labels.count) labels")
    }
    if let i = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
      throw DataError(
        .labelOutOfRange, file: source, field: "\(field) \(i)", expected: "a label in 0..<\(classCount)", found: "\(labels[i])")
    }
  }

  /// The statistics `.standardized` uses when none are given: the images' own.
  static func defaultStatistics(_ planar: PlanarPixels, shape: [Int], normalization: Normalization) throws -> ChannelStatistics {
    guard normalization == .standardized, planar.count > 0 else {
      return ChannelStatistics(mean: [Float](repeating: 0, count: shape[1]), standardDeviation: [Float](repeating: 1, count: shape[1]))
    }
    return planar.statistics(channels: shape[1], planeSize: shape[2] * shape[3])
  }

  /// Checks that statistics cover every channel a standardisation uses.
  static func checkStatistics(_ statistics: ChannelStatistics, channels: Int, normalization: Normalization, source: String) throws {
    let used: ChannelStatistics
    switch normalization {
    case .standardized: used = statistics
    case .standardizedWith(let s): used = s
    default: return
    }
    guard used.mean.count >= channels else {
      throw DataError(
        .countMismatch, file: source, field: "statistics", expected: "statistics for \(channels) channels",
        found: "\(used.mean.count)")
    }
  }
}
