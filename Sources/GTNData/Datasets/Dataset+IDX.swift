import Foundation

extension Dataset {
  /// A part of a dataset as published: its training or its test set.
  public enum Split: String, Sendable, CaseIterable {
    /// The training set (60,000 MNIST / Fashion-MNIST, 50,000 CIFAR-10 images).
    case train
    /// The test set (10,000 images).
    case test
  }

  /// The ten MNIST class names, `"0"` … `"9"`.
  public static let mnistClassNames = (0..<10).map(String.init)

  /// The ten Fashion-MNIST class names in label order.
  public static let fashionMNISTClassNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]

  /// Creates a dataset from an IDX image file and an IDX label file, such
  /// as MNIST, Fashion-MNIST, KMNIST or EMNIST.
  ///
  /// The images must be `ubyte` with three dimensions `[N, H, W]`; the
  /// labels `ubyte` with one, `[N]`, each below `classNames.count`.
  ///
  /// ```swift
  /// let kmnist = try Dataset(
  ///   images: IDXFile(contentsOf: dir.appending(path: "k49-train-imgs.idx3")),
  ///   labels: IDXFile(contentsOf: dir.appending(path: "k49-train-labels.idx1")),
  ///   classNames: (0..<49).map(String.init), normalization: .zeroToOne)
  /// ```
  ///
  /// - Parameters:
  ///   - images: The decoded image file.
  ///   - labels: The decoded label file.
  ///   - classNames: The class names in label order.
  ///   - normalization: How pixel bytes become floats.
  ///   - statistics: The statistics for `.standardized`; computed from the
  ///     images when `nil`.
  ///   - source: The name used in errors.
  /// - Throws: ``DataError`` if the files disagree or hold invalid labels.
  /// - Complexity: O(n) in the number of pixels.
  public init(
    images: IDXFile, labels: IDXFile, classNames: [String],
    normalization: Normalization, statistics: ChannelStatistics? = nil,
    source: String = "IDX files"
  ) throws {
    guard images.elementType == .uint8, images.dimensions.count == 3 else {
      throw DataError(
        .invalidHeader, file: source, field: "image file type",
        expected: "ubyte images [N, H, W] (magic 00 00 08 03)",
        found: "\(images.elementType) with dimensions \(images.dimensions)")
    }
    guard labels.elementType == .uint8, labels.dimensions.count == 1 else {
      throw DataError(
        .invalidHeader, file: source, field: "label file type",
        expected: "ubyte labels [N] (magic 00 00 08 01)",
        found: "\(labels.elementType) with dimensions \(labels.dimensions)")
    }
    guard images.dimensions[0] == labels.dimensions[0] else {
      throw DataError(
        .countMismatch, file: source, field: "example count",
        expected: "as many labels as images (\(images.dimensions[0]))",
        found: "\(labels.dimensions[0]) labels")
    }
    let labelValues = try Dataset.checkedLabels(labels.payload, classCount: classNames.count, source: source, headerSize: labels.headerSize)
    let (n, height, width) = (images.dimensions[0], images.dimensions[1], images.dimensions[2])
    let statistics = statistics ?? (normalization == .standardized && !images.payload.isEmpty
      ? ChannelStatistics(pixels: images.payload, channels: 1, planeSize: height * width)
      : ChannelStatistics(mean: [0], standardDeviation: [1]))
    let tensor = Dataset.normalizedTensor(
      images.payload, shape: [n, 1, height, width], normalization: normalization, statistics: statistics)
    self.init(images: tensor, labels: labelValues, classNames: classNames)
  }

  /// Loads MNIST (LeCun, Cortes & Burges).
  ///
  /// Finds `train-images-idx3-ubyte`/`train-labels-idx1-ubyte` (or `t10k-…`
  /// for the test split), plain or `.gz`, with ``DataLocator``.
  ///
  /// ```swift
  /// let test = try Dataset.mnist(split: .test, normalization: .zeroToOne)
  /// print(test.images.shape)   // [10000, 1, 28, 28]
  /// ```
  ///
  /// - Parameters:
  ///   - split: The training (60,000) or test (10,000) set.
  ///   - directory: Where the files are; `nil` searches `GTN_DATA_DIR`.
  ///   - normalization: How pixels become floats; `.standardized` uses
  ///     ``ChannelStatistics/mnist``.
  ///   - verifyingChecksums: Whether to check the MD5 of the decompressed
  ///     files against ``KnownChecksums``.
  /// - Throws: ``DataError`` if the files are missing or invalid.
  /// - Complexity: O(n) in the number of pixels.
  public static func mnist(
    split: Split, from directory: URL? = nil, normalization: Normalization = .standardized,
    verifyingChecksums: Bool = false
  ) throws -> Dataset {
    try idxDataset(
      .mnist, split: split, directory: directory, classNames: mnistClassNames,
      normalization: normalization, statistics: .mnist,
      checksums: verifyingChecksums ? KnownChecksums.content : nil)
  }

  /// Loads Fashion-MNIST (Xiao, Rasul & Vollgraf), which has MNIST's format
  /// and file names.
  ///
  /// Searches like ``mnist(split:from:normalization:verifyingChecksums:)``,
  /// then Debian's `/usr/share/datasets/fashion-mnist/`.
  ///
  /// - Parameters:
  ///   - split: The training (60,000) or test (10,000) set.
  ///   - directory: Where the files are; `nil` searches `GTN_DATA_DIR` and
  ///     the Debian location.
  ///   - normalization: How pixels become floats; `.standardized` uses
  ///     ``ChannelStatistics/fashionMNIST``.
  ///   - verifyingChecksums: Whether to check the MD5 of the decompressed
  ///     files against ``KnownChecksums/fashionMNISTContent``.
  /// - Throws: ``DataError`` if the files are missing or invalid.
  /// - Complexity: O(n) in the number of pixels.
  public static func fashionMNIST(
    split: Split, from directory: URL? = nil, normalization: Normalization = .standardized,
    verifyingChecksums: Bool = false
  ) throws -> Dataset {
    try idxDataset(
      .fashionMNIST, split: split, directory: directory, classNames: fashionMNISTClassNames,
      normalization: normalization, statistics: .fashionMNIST,
      checksums: verifyingChecksums ? KnownChecksums.fashionMNISTContent : nil)
  }

  private static func idxDataset(
    _ collection: DataLocator.Collection, split: Split, directory: URL?, classNames: [String],
    normalization: Normalization, statistics: ChannelStatistics, checksums: [String: String]?
  ) throws -> Dataset {
    let prefix = split == .train ? "train" : "t10k"
    let names = ["\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte"]
    let urls = try DataLocator(directory: directory).locate(names, of: collection)
    let files = try zip(names, urls).map { name, url in
      let file = try IDXFile(contentsOf: url)
      if let checksums, let md5 = checksums[name] {
        try KnownChecksums.verify(file.encoded(), md5: md5, file: url.path)
      }
      return file
    }
    return try Dataset(
      images: files[0], labels: files[1], classNames: classNames,
      normalization: normalization, statistics: statistics,
      source: urls.map(\.lastPathComponent).joined(separator: " + "))
  }

  /// Labels as `Int`s, each checked to be below `classCount`.
  static func checkedLabels(_ bytes: [UInt8], classCount: Int, source: String, headerSize: Int) throws -> [Int] {
    var labels = [Int](repeating: 0, count: bytes.count)
    for (i, byte) in bytes.enumerated() {
      guard Int(byte) < classCount else {
        throw DataError(
          .labelOutOfRange, file: source, field: "label \(i)", offset: headerSize + i,
          expected: "a label in 0..<\(classCount)", found: "\(byte)")
      }
      labels[i] = Int(byte)
    }
    return labels
  }

  /// Maps planar bytes `[N, C, H, W]` to floats through one 256-entry table
  /// per channel.
  static func normalizedTensor(
    _ bytes: [UInt8], shape: [Int], normalization: Normalization, statistics: ChannelStatistics
  ) -> Tensor {
    let channels = shape[1]
    let plane = shape[2] * shape[3]
    let tables = (0..<channels).flatMap { normalization.table(channel: $0, statistics: statistics) }
    return Tensor(shape: shape) { out in
      bytes.withUnsafeBufferPointer { source in
        tables.withUnsafeBufferPointer { table in
          var offset = 0
          while offset < source.count {
            for c in 0..<channels {
              let t = table.baseAddress! + 256 * c
              for i in offset..<(offset + plane) { out[i] = t[Int(source[i])] }
              offset += plane
            }
          }
        }
      }
    }
  }
}
