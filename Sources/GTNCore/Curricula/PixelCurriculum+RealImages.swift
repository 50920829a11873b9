import GTNData

extension PixelCurriculum {
  /// Real images to start the learned images from: for every sample, a
  /// training image of the sample's class drawn at random, `[T, B, C, H, W]`.
  ///
  /// Dataset distillation usually starts from real images rather than noise
  /// (DC and DSA draw each synthetic image from its class), so meta-training
  /// begins with images a learner already learns from. Replace the
  /// curriculum's `images` tensor with the result before the first outer
  /// iteration:
  ///
  /// ```swift
  /// let pixels = PixelCurriculum(stepCount: 4, batchSize: 10, imageShape: [1, 28, 28], learnsSoftLabels: true)
  /// var trainer = try MetaTrainer(
  ///   generator: IdentityGenerator(), curriculum: pixels,
  ///   optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 4, perStep: true),
  ///   learners: [Sequential.mlpLearner(inputSize: 784, hiddenSize: 32, classCount: 10)],
  ///   configuration: MetaTrainingConfiguration(iterations: 10, learningRate: 0.01), seed: 1)
  /// var rng = SplitMix64(seed: 1)
  /// trainer.state.metaParameters.curriculum["images"] = try pixels.initialImages(from: training, using: &rng)
  /// ```
  ///
  /// - Parameters:
  ///   - dataset: Images of the curriculum's shape, with every class the
  ///     curriculum's labels use (sample `i` has class `i mod K`).
  ///   - generator: The source of the random choices.
  /// - Throws: ``MetaTrainingError/invalidArgument(name:reason:)`` when the
  ///   images' shape differs or a class has no image.
  /// - Complexity: O(n) to group the dataset by class, plus O(T · B · C · H · W).
  public func initialImages(from dataset: Dataset, using generator: inout some RandomNumberGenerator) throws(MetaTrainingError) -> Tensor {
    guard dataset.imageShape == imageShape else {
      throw .invalidArgument(name: "dataset", reason: "images of shape \(dataset.imageShape), but the pixel curriculum learns \(imageShape)")
    }
    var byClass = [[Int]](repeating: [], count: classCount)
    for (index, label) in dataset.labels.enumerated() where label < classCount { byClass[label].append(index) }
    let sampleLabels = labels
    if let missing = Set(sampleLabels).sorted().first(where: { byClass[$0].isEmpty }) {
      throw .invalidArgument(name: "dataset", reason: "no image of class \(missing), which the pixel curriculum's samples use")
    }
    var indices: [Int] = []
    indices.reserveCapacity(stepCount * batchSize)
    for _ in 0..<stepCount {
      for label in sampleLabels { indices.append(byClass[label].randomElement(using: &generator)!) }
    }
    return dataset.batch(at: indices).images.reshaped(to: [stepCount, batchSize] + imageShape)
  }
}
