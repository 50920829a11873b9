/// Scores a candidate architecture cheaply, as a proxy for its performance
/// after full training. Higher is better.
public protocol ArchitectureEvaluator: Sendable {
  /// Trains (or otherwise inspects) a fresh instance of `learner` and
  /// returns its score; `seed` fixes the initialisation and any sampling.
  func score(_ learner: any Learner, seed: UInt64) -> Double
}

/// The GTN proxy: train the candidate for `steps` steps on a trained GTN's
/// synthetic curriculum, with the GTN's own inner optimiser and learned
/// hyper-parameters (GTNCore's `SyntheticData`), then score its accuracy on
/// held-out real data.
///
/// The GTN must be meta-trained for learners like the candidates: its
/// images and learned inner learning rates fit the learners it was trained
/// with, and other networks may diverge on them. On MNIST, a GTN learned for
/// one convolutional learner trained 36 of 50 macro-space candidates to
/// chance (Spearman −0.22 with the ground truth); a GTN meta-trained over
/// sixteen other architectures of the space (`--learner macro:…` of the
/// examples) left five there (Spearman 0.72, and 0.64 over the top half).
/// See <doc:ArchitectureSearchWithGTNData>.
public struct GTNProxy: ArchitectureEvaluator {
  /// The learned data and the optimiser that trains on it.
  public var data: SyntheticData
  public var steps: Int
  public var validationImages: Tensor
  public var validationLabels: [Int]

  /// - Parameters:
  ///   - trainer: A meta-trained GTN; its curriculum, inner optimiser and
  ///     learned schedule are used (steps beyond the curriculum cycle
  ///     through it).
  ///   - steps: Inner steps per candidate (the paper uses 128).
  ///   - validationImages: Held-out real images.
  ///   - validationLabels: Their labels.
  public init(trainer: MetaTrainer, steps: Int, validationImages: Tensor, validationLabels: [Int]) {
    self.init(data: trainer.syntheticData(), steps: steps, validationImages: validationImages, validationLabels: validationLabels)
  }

  /// - Parameters:
  ///   - data: The synthetic data and its optimiser.
  ///   - steps: Inner steps per candidate.
  ///   - validationImages: Held-out real images.
  ///   - validationLabels: Their labels.
  public init(data: SyntheticData, steps: Int, validationImages: Tensor, validationLabels: [Int]) {
    self.data = data
    self.steps = steps
    self.validationImages = validationImages
    self.validationLabels = validationLabels
  }

  public func score(_ learner: any Learner, seed: UInt64) -> Double {
    var rng = SplitMix64(seed: seed)
    let theta = data.train(learner, parameters: learner.makeParameters(using: &rng), steps: steps)
    return learner.accuracy(parameters: theta, images: validationImages, labels: validationLabels)
  }
}

/// The real-data proxy: train the candidate for `steps` SGD-with-momentum
/// steps on shuffled real batches, then score held-out accuracy.
public struct RealDataProxy: ArchitectureEvaluator {
  public var images: Tensor
  public var labels: [Int]
  public var classCount: Int
  public var steps: Int
  public var batchSize: Int
  public var learningRate: Float
  public var momentum: Float
  public var validationImages: Tensor
  public var validationLabels: [Int]

  public init(
    images: Tensor, labels: [Int], classCount: Int = 10, steps: Int, batchSize: Int = 128,
    learningRate: Float = 0.02, momentum: Float = 0.9, validationImages: Tensor, validationLabels: [Int]
  ) {
    precondition(images.shape[0] == labels.count && labels.count >= batchSize, "RealDataProxy needs at least \(batchSize) labelled images, got \(labels.count)")
    self.images = images
    self.labels = labels
    self.classCount = classCount
    self.steps = steps
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.momentum = momentum
    self.validationImages = validationImages
    self.validationLabels = validationLabels
  }

  public func score(_ learner: any Learner, seed: UInt64) -> Double {
    var rng = SplitMix64(seed: seed)
    let theta0 = learner.makeParameters(using: &rng)
    let all = Variable(images)
    var order: [Int] = []
    let sgd = SGDWithMomentum(learningRate: learningRate, momentum: momentum)
    let theta = LearnerTraining.train(
      learner, parameters: theta0, steps: steps, optimizer: sgd, metaParameters: sgd.makeMetaParameters(),
      batch: { _ in
        while order.count < batchSize { order += Array(labels.indices).shuffled(using: &rng) }
        let rows = Array(order.prefix(batchSize))
        order.removeFirst(batchSize)
        return (all.gatheringRows(rows).value, CurriculumBatch.oneHot(rows.map { labels[$0] }, classCount: classCount))
      })
    return learner.accuracy(parameters: theta, images: validationImages, labels: validationLabels)
  }
}
