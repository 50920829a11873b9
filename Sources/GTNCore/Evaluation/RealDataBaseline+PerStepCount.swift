extension RealDataBaseline {
  /// The outcome of a baseline tuned separately for every step budget.
  public struct PerStepCountResult: Sendable {
    /// The learning rate chosen on the validation set, per step count.
    public var learningRate: [Int: Float]
    /// Test accuracy per step count over seeds, each at its own chosen
    /// learning rate.
    public var accuracy: [Int: MeanAndDeviation]
    /// Mean validation accuracy over seeds per step count and learning rate.
    public var validationAccuracy: [Int: [Float: Double]]
  }

  /// The real-data baseline tuned for each step budget on its own: for every
  /// learning rate in the grid and every seed, one learner is trained for
  /// the largest step count and measured on the validation set at each of
  /// `stepCounts`; at each step count k the learning rate with the best mean
  /// validation accuracy after k steps is chosen, and the test accuracy of
  /// its learners after k steps, over the seeds, is reported.
  ///
  /// A learner given only k steps is thus compared at its best learning rate
  /// for k steps, not at the one that is best for the longest budget — the
  /// honest comparison when a GTN's advantage is measured in steps.
  ///
  /// ```swift
  /// let real = RealDataBaseline.tunedPerStepCount(
  ///   learner: learner, trainImages: x, trainLabels: y, validationImages: xv, validationLabels: yv,
  ///   testImages: xt, testLabels: yt, batchSize: 128, stepCounts: [32, 64, 128], seeds: [1, 2, 3])
  /// print(real.learningRate[32]!, real.accuracy[32]!)
  /// ```
  ///
  /// - Parameters:
  ///   - learner: The architecture.
  ///   - trainImages: Real training images, `[N, C, H, W]`.
  ///   - trainLabels: Their labels.
  ///   - validationImages: Images for choosing the learning rates.
  ///   - validationLabels: Their labels.
  ///   - testImages: Images for the reported accuracy.
  ///   - testLabels: Their labels.
  ///   - batchSize: Samples per step.
  ///   - stepCounts: Step counts to tune for and measure at.
  ///   - learningRates: The grid to tune over.
  ///   - momentum: μ.
  ///   - classCount: K.
  ///   - seeds: One initialisation and batch order per seed.
  /// - Complexity: `learningRates.count · seeds.count` training runs of
  ///   `stepCounts.max()` steps, each measured `stepCounts.count` times on
  ///   the validation set; `seeds.count · stepCounts.count` measurements on
  ///   the test set. Keeps `learningRates.count · seeds.count ·
  ///   stepCounts.count` parameter snapshots.
  public static func tunedPerStepCount(
    learner: any Learner, trainImages: Tensor, trainLabels: [Int],
    validationImages: Tensor, validationLabels: [Int], testImages: Tensor, testLabels: [Int],
    batchSize: Int, stepCounts: [Int], learningRates: [Float] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
    momentum: Float = 0.9, classCount: Int = 10, seeds: [UInt64]
  ) -> PerStepCountResult {
    precondition(!learningRates.isEmpty && !seeds.isEmpty, "tunedPerStepCount needs learning rates and seeds")
    let wanted = Set(stepCounts)
    // Validation accuracy for every learning rate; parameters kept to
    // measure test accuracy only at the chosen ones.
    var validation: [Int: [Float: [Double]]] = [:]
    var snapshots: [Int: [Float: [[Tensor]]]] = [:]
    for lr in learningRates {
      for seed in seeds {
        train(learner: learner, images: trainImages, labels: trainLabels, batchSize: batchSize,
              steps: stepCounts.max() ?? 0, learningRate: lr, momentum: momentum, classCount: classCount,
              seed: seed) { k, theta in
          guard wanted.contains(k) else { return }
          validation[k, default: [:]][lr, default: []].append(
            learner.accuracy(parameters: theta, images: validationImages, labels: validationLabels))
          snapshots[k, default: [:]][lr, default: []].append(theta)
        }
      }
    }
    var chosen: [Int: Float] = [:]
    var accuracy: [Int: MeanAndDeviation] = [:]
    var meanValidation: [Int: [Float: Double]] = [:]
    for k in wanted {
      let means = validation[k, default: [:]].mapValues { MeanAndDeviation($0).mean }
      meanValidation[k] = means
      // Best validation accuracy; ties go to the smaller learning rate.
      guard let best = means.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key else { continue }
      chosen[k] = best
      accuracy[k] = MeanAndDeviation(snapshots[k]![best]!.map {
        learner.accuracy(parameters: $0, images: testImages, labels: testLabels)
      })
    }
    return PerStepCountResult(learningRate: chosen, accuracy: accuracy, validationAccuracy: meanValidation)
  }
}
