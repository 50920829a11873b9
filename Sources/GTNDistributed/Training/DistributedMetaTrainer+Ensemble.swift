import GTNCore

extension DistributedMetaTrainer {
  /// Accuracy of one fresh learner per rank and of their ensemble.
  public struct EnsembleEvaluation: Sendable, Hashable {
    /// The ranks' single-learner test accuracies, indexed by rank.
    public var learnerAccuracies: [Double]
    /// The test accuracy of the ensemble: the class with the highest
    /// softmax probability averaged over the ranks' learners.
    public var ensembleAccuracy: Double
    /// Mean and deviation of ``learnerAccuracies``.
    public var learnerAccuracy: MeanAndDeviation { MeanAndDeviation(learnerAccuracies) }
  }

  /// Trains one fresh learner per rank on the learned synthetic data (with
  /// the learned learning rates and momenta) for `steps` steps, and
  /// measures each learner and the ensemble of all ranks' learners on real
  /// test data (collective), as the original GTN reports them.
  ///
  /// Rank `r` initialises its learner from
  /// ``rankSeed(base:rank:)``(`seed`, `r`); the ensemble averages the
  /// softmax outputs with one all-reduce of `[N, K]` probabilities.
  ///
  /// - Parameters:
  ///   - learner: The architecture (need not be one meta-trained on).
  ///   - steps: SGD steps; beyond the curriculum's length it cycles.
  ///   - seed: The base seed of the learners' initialisations.
  ///   - testImages: Real held-out images, `[N, C, H, W]`.
  ///   - testLabels: Their N labels.
  ///   - batchSize: Images per forward pass when predicting.
  /// - Complexity: One learner training per rank, one all-reduce of N·K floats.
  public func evaluateEnsemble(
    learner: any Learner, steps: Int, seed: UInt64, testImages: Tensor, testLabels: [Int], batchSize: Int = 1000
  ) -> EnsembleEvaluation {
    precondition(testImages.shape.first == testLabels.count, "evaluateEnsemble: \(testImages.shape) images for \(testLabels.count) labels")
    var rng = SplitMix64(seed: Self.rankSeed(base: seed, rank: communicator.rank))
    let theta = trainer.syntheticData().train(learner, parameters: learner.makeParameters(using: &rng), steps: steps)
    let parameters = theta.map { Variable($0) }
    var probabilities: [Float] = []
    var start = 0
    while start < testLabels.count {
      let end = Swift.min(start + batchSize, testLabels.count)
      let p = withoutGradientRecording {
        learner(Variable(testImages.slice(alongAxis: 0, start..<end)), parameters: parameters[...]).softmax().value
      }
      p.withUnsafeBufferPointer { probabilities.append(contentsOf: $0) }
      start = end
    }
    let classes = testLabels.isEmpty ? 0 : probabilities.count / testLabels.count
    let single = Self.accuracy(probabilities: probabilities, classes: classes, labels: testLabels)
    communicator.allreduceSum(&probabilities)
    let ensemble = Self.accuracy(probabilities: probabilities, classes: classes, labels: testLabels)
    return EnsembleEvaluation(learnerAccuracies: communicator.allgather(single), ensembleAccuracy: ensemble)
  }

  /// The fraction of rows of `[N, K]` scores whose largest entry is at the label.
  static func accuracy(probabilities: [Float], classes: Int, labels: [Int]) -> Double {
    guard !labels.isEmpty else { return 0 }
    var correct = 0
    for (i, label) in labels.enumerated() {
      let row = probabilities[(i * classes)..<((i + 1) * classes)]
      if row.indices.max(by: { row[$0] < row[$1] }).map({ $0 - i * classes }) == label { correct += 1 }
    }
    return Double(correct) / Double(labels.count)
  }
}
