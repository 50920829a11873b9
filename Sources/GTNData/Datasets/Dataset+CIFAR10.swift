import Dispatch
import Foundation

extension Dataset {
  /// The ten CIFAR-10 class names in label order, as in `batches.meta.txt`.
  public static let cifar10ClassNames = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  ]

  /// Creates a dataset from decoded CIFAR-10 batch files, in order.
  ///
  /// - Parameters:
  ///   - batches: The decoded batch files, concatenated in the order given.
  ///   - classNames: The class names in label order.
  ///   - normalization: How pixel bytes become floats; `.standardized` uses
  ///     ``ChannelStatistics/cifar10``.
  /// - Complexity: O(n) in the number of pixels.
  public init(
    cifar10Batches batches: [CIFAR10Batch], classNames: [String] = Dataset.cifar10ClassNames,
    normalization: Normalization
  ) {
    let n = batches.reduce(0) { $0 + $1.count }
    let imageSize = CIFAR10Batch.imageSize
    let tables = (0..<3).flatMap { normalization.table(channel: $0, statistics: .cifar10) }
    let images = Tensor(shape: [n, 3, 32, 32]) { out in
      // Each batch fills its own slice of the output; do them on all cores.
      nonisolated(unsafe) let destination = out.baseAddress!
      var offsets: [Int] = [0]
      for batch in batches.dropLast() { offsets.append(offsets.last! + batch.pixels.count) }
      let starts = offsets
      DispatchQueue.concurrentPerform(iterations: batches.count) { b in
        tables.withUnsafeBufferPointer { table in
          batches[b].pixels.withUnsafeBufferPointer { source in
            let base = destination + starts[b]
            for image in 0..<batches[b].count {
              for c in 0..<3 {
                let t = table.baseAddress! + 256 * c
                let start = image * imageSize + c * 1024
                for i in start..<(start + 1024) { base[i] = t[Int(source[i])] }
              }
            }
          }
        }
      }
    }
    let labels = batches.flatMap { $0.labels.map(Int.init) }
    self.init(images: images, labels: labels, classNames: classNames)
  }

  /// Loads CIFAR-10 (Krizhevsky, 2009) from its binary version.
  ///
  /// Finds `data_batch_1.bin` … `data_batch_5.bin` (training) or
  /// `test_batch.bin` (test), plain or `.gz`, with ``DataLocator``. Class
  /// names come from `batches.meta.txt` next to them when present.
  ///
  /// ```swift
  /// let train = try Dataset.cifar10(split: .train, normalization: .standardized)
  /// print(train.images.shape)   // [50000, 3, 32, 32]
  /// ```
  ///
  /// - Parameters:
  ///   - split: The training (50,000) or test (10,000) set.
  ///   - directory: Where the files are; `nil` searches `GTN_DATA_DIR`.
  ///   - normalization: How pixels become floats.
  ///   - verifyingChecksums: Whether to check the MD5 of each decompressed
  ///     file against the published one.
  /// - Throws: ``DataError`` if files are missing or invalid.
  /// - Complexity: O(n) in the number of pixels.
  public static func cifar10(
    split: Split, from directory: URL? = nil, normalization: Normalization = .standardized,
    verifyingChecksums: Bool = false
  ) throws -> Dataset {
    let names = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    let urls = try DataLocator(directory: directory).locate(names, of: .cifar10)
    var classNames = cifar10ClassNames
    let meta = urls[0].deletingLastPathComponent().appendingPathComponent("batches.meta.txt")
    if FileManager.default.fileExists(atPath: meta.path) {
      classNames = try CIFAR10Batch.classNames(decoding: readBytes(meta), source: meta.path)
    }
    let classCount = classNames.count
    // Files are independent: decode them on all cores.
    let batches = try concurrentMap(urls.count) { i in
      let batch = try CIFAR10Batch(contentsOf: urls[i], classCount: classCount)
      if verifyingChecksums, let md5 = KnownChecksums.content[names[i]] {
        try KnownChecksums.verify(batch.encoded(), md5: md5, file: urls[i].path)
      }
      return batch
    }
    return Dataset(cifar10Batches: batches, classNames: classNames, normalization: normalization)
  }
}
