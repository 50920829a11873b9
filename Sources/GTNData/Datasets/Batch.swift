/// A mini-batch of images and labels.
///
/// ```swift
/// let batch = dataset.batch(at: [3, 1, 4])
/// print(batch.images.shape)   // [3, 1, 28, 28]
/// ```
public struct Batch: Sendable, Equatable {
  /// The images, `[count, channels, height, width]`.
  public var images: Tensor
  /// The label of each image.
  public var labels: [Int]

  /// Creates a batch.
  ///
  /// - Precondition: `images` has rank 4 and one image per label.
  public init(images: Tensor, labels: [Int]) {
    precondition(
      images.rank == 4 && images.shape[0] == labels.count,
      "Batch needs images [N, C, H, W] with N = \(labels.count) labels, got shape \(images.shape)")
    self.images = images
    self.labels = labels
  }

  /// The number of examples.
  public var count: Int { labels.count }
}
