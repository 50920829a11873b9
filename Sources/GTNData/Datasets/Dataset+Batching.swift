extension Dataset {
  /// The dataset's mini-batches in file order.
  ///
  /// - Parameters:
  ///   - size: The number of examples per batch, at least 1.
  ///   - dropsLast: Whether to leave out a final batch smaller than `size`.
  /// - Complexity: O(1); each batch is gathered as it is iterated.
  public func batches(size: Int, dropsLast: Bool = false) -> Batches {
    Batches(dataset: self, order: Array(0..<count), size: size, dropsLast: dropsLast)
  }

  /// One epoch of mini-batches, shuffled with `generator`.
  ///
  /// Every example appears exactly once per epoch (unless `dropsLast` drops
  /// the remainder). The order is drawn when this method is called, so equal
  /// generator states give equal epochs; call it again for the next epoch.
  ///
  /// ```swift
  /// var rng = SplitMix64(seed: 42)
  /// for _ in 0..<10 {   // ten epochs, each in a new order
  ///   for batch in train.batches(size: 128, using: &rng) { print(batch.images.shape) }
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - size: The number of examples per batch, at least 1.
  ///   - shuffled: Whether to shuffle; if `false`, the generator is not used.
  ///   - dropsLast: Whether to leave out a final batch smaller than `size`.
  ///   - generator: The source of randomness.
  /// - Complexity: O(n) to draw the order; each batch is gathered as it is
  ///   iterated.
  public func batches(
    size: Int, shuffled: Bool = true, dropsLast: Bool = false,
    using generator: inout some RandomNumberGenerator
  ) -> Batches {
    let order = shuffled ? Dataset.permutation(count: count, using: &generator) : Array(0..<count)
    return Batches(dataset: self, order: order, size: size, dropsLast: dropsLast)
  }
}

/// One epoch of mini-batches over a ``Dataset`` in a fixed order.
///
/// Create one with ``Dataset/batches(size:dropsLast:)`` or
/// ``Dataset/batches(size:shuffled:dropsLast:using:)``.
public struct Batches: Sequence, Sendable {
  /// The dataset the batches come from.
  public let dataset: Dataset
  /// The order in which examples are visited.
  public let order: [Int]
  /// The number of examples per batch.
  public let size: Int
  /// Whether a final, smaller batch is left out.
  public let dropsLast: Bool

  init(dataset: Dataset, order: [Int], size: Int, dropsLast: Bool) {
    precondition(size >= 1, "batch size \(size) must be at least 1")
    self.dataset = dataset
    self.order = order
    self.size = size
    self.dropsLast = dropsLast
  }

  /// The number of batches in the epoch.
  public var count: Int { dropsLast ? order.count / size : (order.count + size - 1) / size }

  /// The example indices of each batch, in order.
  public var indices: [ArraySlice<Int>] {
    (0..<count).map { order[($0 * size)..<Swift.min(($0 + 1) * size, order.count)] }
  }

  public var underestimatedCount: Int { count }

  public func makeIterator() -> Iterator { Iterator(batches: self) }

  /// Gathers each batch as it is reached.
  public struct Iterator: IteratorProtocol {
    let batches: Batches
    var position = 0

    public mutating func next() -> Batch? {
      guard position < batches.count else { return nil }
      let start = position * batches.size
      let end = Swift.min(start + batches.size, batches.order.count)
      position += 1
      return batches.dataset.batch(at: batches.order[start..<end])
    }
  }
}
