/// A labelled image dataset held in memory: images as one `N × C × H × W`
/// tensor, labels as class indices.
///
/// `Dataset` is a value type; subsets, splits and batches are new values
/// that copy the selected images into contiguous storage.
///
/// ```swift
/// let mnist = try Dataset.mnist(split: .train, normalization: .standardized)
/// let (train, validation) = mnist.splitting(validationCount: 10_000)
/// var rng = SplitMix64(seed: 7)
/// for batch in train.batches(size: 128, using: &rng) {
///   print(batch.images.shape, batch.labels.count)   // [128, 1, 28, 28] 128
/// }
/// ```
public struct Dataset: Sendable, Equatable {
  /// The images, shape `[count, channels, height, width]`.
  public var images: Tensor
  /// The class index of each image, in `0..<classNames.count`.
  public var labels: [Int]
  /// The name of each class, in label order.
  public var classNames: [String]

  /// Creates a dataset from images and labels.
  ///
  /// - Parameters:
  ///   - images: A rank-4 tensor `[count, channels, height, width]`.
  ///   - labels: One label per image.
  ///   - classNames: The class names; every label must index into it.
  /// - Precondition: the shapes agree and every label is in range.
  public init(images: Tensor, labels: [Int], classNames: [String]) {
    precondition(images.rank == 4, "Dataset images must be [N, C, H, W], got shape \(images.shape)")
    precondition(
      images.shape[0] == labels.count,
      "Dataset has \(images.shape[0]) images (shape \(images.shape)) but \(labels.count) labels")
    precondition(
      labels.allSatisfy { $0 >= 0 && $0 < classNames.count },
      "Dataset labels must lie in 0..<\(classNames.count)")
    self.images = images
    self.labels = labels
    self.classNames = classNames
  }

  /// The number of examples.
  public var count: Int { labels.count }

  /// The shape of one image, `[channels, height, width]`.
  public var imageShape: [Int] { Array(images.shape.dropFirst()) }

  /// The number of examples of each class, indexed by label.
  ///
  /// - Complexity: O(n).
  public var labelHistogram: [Int] {
    var histogram = [Int](repeating: 0, count: classNames.count)
    for label in labels { histogram[label] += 1 }
    return histogram
  }

  /// The examples at `indices`, in that order, as a batch.
  ///
  /// ```swift
  /// let first = dataset.batch(at: 0..<64)
  /// ```
  ///
  /// - Parameter indices: Positions in `0..<count`; repeats are allowed.
  /// - Returns: Images `[indices.count, C, H, W]` and their labels.
  /// - Complexity: O(k · C · H · W) for k indices.
  public func batch(at indices: some Collection<Int>) -> Batch {
    let imageSize = imageShape.reduce(1, *)
    let n = count
    var labels: [Int] = []
    labels.reserveCapacity(indices.count)
    let gathered = images.withUnsafeBufferPointer { source in
      Tensor(shape: [indices.count] + imageShape) { destination in
        for (row, index) in indices.enumerated() {
          precondition(index >= 0 && index < n, "index \(index) out of range for a dataset of \(n) examples")
          labels.append(self.labels[index])
          guard imageSize > 0 else { continue }
          (destination.baseAddress! + row * imageSize)
            .update(from: source.baseAddress! + index * imageSize, count: imageSize)
        }
      }
    }
    return Batch(images: gathered, labels: labels)
  }

  /// The dataset restricted to the examples at `indices`, in that order.
  ///
  /// - Parameter indices: Positions in `0..<count`; repeats are allowed.
  /// - Complexity: O(k · C · H · W) for k indices.
  public func subset(_ indices: some Collection<Int>) -> Dataset {
    let batch = batch(at: indices)
    return Dataset(images: batch.images, labels: batch.labels, classNames: classNames)
  }

  /// Splits off the last `validationCount` examples as a validation set.
  ///
  /// The split is deterministic and keeps the file order, which is the
  /// convention of the GTN paper: MNIST's 60,000 training images become
  /// 50,000 training and the last 10,000 validation images; CIFAR-10's
  /// 50,000 become 45,000 and 5,000 (the last half of `data_batch_5`).
  ///
  /// ```swift
  /// let (train, validation) = try Dataset.cifar10(split: .train).splitting(validationCount: 5_000)
  /// ```
  ///
  /// - Parameter validationCount: The number of validation examples, in `0...count`.
  /// - Returns: The first `count − validationCount` and the last
  ///   `validationCount` examples.
  /// - Complexity: O(n · C · H · W).
  public func splitting(validationCount: Int) -> (training: Dataset, validation: Dataset) {
    precondition(
      validationCount >= 0 && validationCount <= count,
      "validationCount \(validationCount) must lie in 0...\(count)")
    let cut = count - validationCount
    return (subset(0..<cut), subset(cut..<count))
  }

  /// Splits the examples at random into training and validation sets.
  ///
  /// Equal generator states give equal splits. Each part keeps the original
  /// relative order of its examples.
  ///
  /// - Parameters:
  ///   - validationCount: The number of validation examples, in `0...count`.
  ///   - generator: The source of randomness.
  /// - Complexity: O(n · C · H · W).
  public func splitting(
    validationCount: Int, using generator: inout some RandomNumberGenerator
  ) -> (training: Dataset, validation: Dataset) {
    precondition(
      validationCount >= 0 && validationCount <= count,
      "validationCount \(validationCount) must lie in 0...\(count)")
    let permutation = Dataset.permutation(count: count, using: &generator)
    let validation = permutation.prefix(validationCount).sorted()
    let training = permutation.dropFirst(validationCount).sorted()
    return (subset(training), subset(validation))
  }

  /// A uniformly random permutation of `0..<count` (Fisher–Yates), the same
  /// for equal generator states on every platform.
  static func permutation(count: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
    var order = Array(0..<count)
    var i = count - 1
    while i > 0 {
      let j = Int(generator.next(upperBound: UInt64(i + 1)))
      order.swapAt(i, j)
      i -= 1
    }
    return order
  }
}
