import GTNData

extension SyntheticData {
  /// The synthetic samples of one pass through the curriculum as a
  /// `Dataset`: the batches' images one after the other, in step order
  /// (sample `t · B + i` is sample `i` of step `t`), with their hard labels.
  ///
  /// The dataset holds the images only; to replay the curriculum as the GTN
  /// taught it, train on it in order, batch by batch, with the learned
  /// ``schedule``.
  ///
  /// ```swift
  /// let samples = trainer.syntheticData().dataset(classNames: Dataset.mnistClassNames)
  /// print(samples.count, samples.imageShape)   // T × B, e.g. [1, 28, 28]
  /// ```
  ///
  /// - Parameter classNames: The class names; `nil` names the classes
  ///   `"0"`, `"1"`, … (as many as the targets have columns).
  /// - Returns: `T × B` images `[T·B, C, H, W]` with their labels.
  /// - Precondition: `classNames`, when given, has one name per target
  ///   column.
  /// - Complexity: O(T · B · C · H · W): the images are copied once.
  public func dataset(classNames: [String]? = nil) -> Dataset {
    let classCount = batches[0].targets.shape.last ?? 0
    let names = classNames ?? (0..<classCount).map(String.init)
    precondition(
      names.count == classCount, "SyntheticData.dataset: \(names.count) class names for targets of \(classCount) classes")
    let images = Tensor.concatenating(batches.map(\.images), alongAxis: 0)
    return Dataset(images: images, labels: batches.flatMap(\.labels), classNames: names)
  }
}
