/// The real-data baseline: the same learner trained for the same number of
/// steps on real batches, with the learning rate tuned on held-out data.
public enum RealDataBaseline {
  /// The outcome of a tuned baseline.
  public struct Result: Sendable {
    /// The learning rate chosen on the validation set.
    public var learningRate: Float
    /// Test accuracy per step count over seeds, at that learning rate.
    public var accuracy: [Int: MeanAndDeviation]
    /// Validation accuracy at the largest step count per learning rate tried.
    public var validationAccuracy: [Float: Double]
  }

  /// Trains `learner` on shuffled real batches and picks the learning rate
  /// with the best validation accuracy at the largest step count; then
  /// reports test accuracy at each step count for every seed.
  ///
  /// - Parameters:
  ///   - learner: The architecture.
  ///   - trainImages: Real training images, `[N, C, H, W]`.
  ///   - trainLabels: Their labels.
  ///   - validationImages: Images for choosing the learning rate.
  ///   - validationLabels: Their labels.
  ///   - testImages: Images for the reported accuracy.
  ///   - testLabels: Their labels.
  ///   - batchSize: Samples per step.
  ///   - stepCounts: Step counts to measure at.
  ///   - learningRates: The grid to tune over.
  ///   - momentum: μ.
  ///   - classCount: K.
  ///   - seeds: One initialisation and batch order per seed.
  public static func tuned(
    learner: any Learner, trainImages: Tensor, trainLabels: [Int],
    validationImages: Tensor, validationLabels: [Int], testImages: Tensor, testLabels: [Int],
    batchSize: Int, stepCounts: [Int], learningRates: [Float] = [0.01, 0.02, 0.05, 0.1, 0.2],
    momentum: Float = 0.9, classCount: Int = 10, seeds: [UInt64]
  ) -> Result {
    let maxSteps = stepCounts.max() ?? 0
    func run(_ lr: Float, _ seed: UInt64, evaluate: (Int, [Tensor]) -> Void) {
      train(learner: learner, images: trainImages, labels: trainLabels, batchSize: batchSize, steps: maxSteps,
            learningRate: lr, momentum: momentum, classCount: classCount, seed: seed, afterStep: evaluate)
    }
    var validation: [Float: Double] = [:]
    for lr in learningRates {
      run(lr, seeds.first ?? 0) { k, theta in
        if k == maxSteps {
          validation[lr] = learner.accuracy(parameters: theta, images: validationImages, labels: validationLabels)
        }
      }
    }
    let best = validation.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? learningRates[0]
    let wanted = Set(stepCounts)
    var results: [Int: [Double]] = [:]
    for seed in seeds {
      run(best, seed) { k, theta in
        if wanted.contains(k) {
          results[k, default: []].append(learner.accuracy(parameters: theta, images: testImages, labels: testLabels))
        }
      }
    }
    return Result(learningRate: best, accuracy: results.mapValues(MeanAndDeviation.init), validationAccuracy: validation)
  }

  /// Trains a fresh learner (initialised from `seed`) for `steps` steps of
  /// ``SGDWithMomentum`` at fixed η and μ on real batches drawn without replacement from
  /// reshuffled epochs (the shuffles also from `seed`).
  static func train(
    learner: any Learner, images: Tensor, labels: [Int], batchSize: Int, steps: Int,
    learningRate: Float, momentum: Float, classCount: Int, seed: UInt64, afterStep: (Int, [Tensor]) -> Void
  ) {
    var rng = SplitMix64(seed: seed)
    let theta0 = learner.makeParameters(using: &rng)
    var order: [Int] = []
    let sgd = SGDWithMomentum(learningRate: learningRate, momentum: momentum)
    _ = LearnerTraining.train(
      learner, parameters: theta0, steps: steps, optimizer: sgd, metaParameters: sgd.makeMetaParameters(),
      batch: { _ in
        while order.count < batchSize { order += Array(0..<labels.count).shuffled(using: &rng) }
        let rows = Array(order.prefix(batchSize))
        order.removeFirst(batchSize)
        let batchImages = Variable(images).gatheringRows(rows).value
        return (batchImages, CurriculumBatch.oneHot(rows.map { labels[$0] }, classCount: classCount))
      },
      afterStep: afterStep)
  }
}
