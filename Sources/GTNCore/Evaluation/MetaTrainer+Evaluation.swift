extension MetaTrainer {
  /// The learned curriculum's synthetic data, step by step, generated
  /// without recording gradients.
  ///
  /// - Parameter seed: The outer seed for curricula with randomness.
  /// - Returns: One batch per inner step: images, hard labels and targets.
  public func syntheticBatches(seed: UInt64 = 0) -> [(images: Tensor, labels: [Int], targets: Tensor)] {
    withoutGradientRecording {
      let meta = state.metaParameters
      let parts = meta.partition(meta.tensors.map { Variable($0) })
      return (0..<curriculum.stepCount).map { t in
        let batch = curriculum.batch(at: t, parameters: parts.curriculum, seed: seed)
        let images = generator(batch.inputs, targets: batch.targets, parameters: parts.generator)
        return (images.value, batch.labels, batch.targets.value)
      }
    }
  }

  /// The synthetic data with the inner optimiser and its learned
  /// hyper-parameters: everything needed to train a fresh learner on what
  /// the GTN learned, by the same rule as in meta-training.
  ///
  /// - Parameter seed: The outer seed for curricula with randomness.
  public func syntheticData(seed: UInt64 = 0) -> SyntheticData {
    SyntheticData(batches: syntheticBatches(seed: seed), optimizer: optimizer, optimizerParameters: state.metaParameters.optimizer)
  }

  /// Trains fresh learners on the learned synthetic data, with the inner
  /// optimiser's own update and learned hyper-parameters, and measures
  /// their accuracy on real test data after each of `stepCounts` steps.
  ///
  /// Steps beyond the curriculum's length cycle through it again.
  ///
  /// ```swift
  /// let accuracy = try trainer.evaluate(
  ///   learner: learner, stepCounts: [8, 16, 32], seeds: [1, 2, 3], testImages: x, testLabels: y)
  /// print(accuracy[32]!)   // e.g. 89.2% ± 0.3
  /// ```
  ///
  /// - Parameters:
  ///   - learner: The architecture to train (need not be one meta-trained on).
  ///   - stepCounts: Step counts to measure at, e.g. `[1, 2, 4, 8, 16, 32]`.
  ///   - seeds: One fresh initialisation per seed.
  ///   - testImages: Real held-out images.
  ///   - testLabels: Their labels.
  /// - Returns: Accuracy over seeds per step count.
  /// - Throws: ``MetaTrainingError/invalidArgument(name:reason:)`` for no
  ///   seeds, step counts below 1, or test data that does not fit.
  /// - Complexity: `seeds.count · stepCounts.max()` learner steps and
  ///   `seeds.count · stepCounts.count` passes over the test data.
  public func evaluate(
    learner: any Learner, stepCounts: [Int], seeds: [UInt64], testImages: Tensor, testLabels: [Int]
  ) throws -> [Int: MeanAndDeviation] {
    guard !seeds.isEmpty else { throw MetaTrainingError.invalidArgument(name: "seeds", reason: "at least one seed is needed") }
    guard !stepCounts.isEmpty, stepCounts.allSatisfy({ $0 >= 1 }) else {
      throw MetaTrainingError.invalidArgument(name: "stepCounts", reason: "expected step counts ≥ 1, got \(stepCounts)")
    }
    try checkLabelledImages(testImages, testLabels, name: "testImages", learners: [learner])
    let data = syntheticData()
    let wanted = Set(stepCounts)
    var results: [Int: [Double]] = [:]
    for seed in seeds {
      var rng = SplitMix64(seed: seed)
      _ = data.train(learner, parameters: learner.makeParameters(using: &rng), steps: stepCounts.max() ?? 0) { k, theta in
        if wanted.contains(k) {
          results[k, default: []].append(learner.accuracy(parameters: theta, images: testImages, labels: testLabels))
        }
      }
    }
    return results.mapValues(MeanAndDeviation.init)
  }
}
