/// What a trained GTN teaches with: its synthetic batches in curriculum
/// order, and the inner optimiser with its learned hyper-parameters that
/// trains on them.
///
/// A learner trained with ``train(_:parameters:steps:afterStep:)`` follows
/// exactly the rule it followed inside meta-training — the optimiser's own
/// ``InnerOptimizer/update(_:gradients:state:metaParameters:step:)`` —
/// whatever the optimiser is. Steps beyond the curriculum's length cycle
/// through it again, schedule included.
///
/// ```swift
/// let data = trainer.syntheticData()
/// let theta = data.train(learner, parameters: learner.makeParameters(using: &rng), steps: 32)
/// print(learner.accuracy(parameters: theta, images: testImages, labels: testLabels))
/// ```
public struct SyntheticData: Sendable {
  /// One batch per inner step: images, hard labels and `[B, K]` targets.
  public var batches: [(images: Tensor, labels: [Int], targets: Tensor)]
  /// The inner optimiser.
  public var optimizer: any InnerOptimizer
  /// Its learned hyper-parameters.
  public var optimizerParameters: NamedTensors

  public init(batches: [(images: Tensor, labels: [Int], targets: Tensor)], optimizer: any InnerOptimizer, optimizerParameters: NamedTensors) {
    precondition(!batches.isEmpty, "SyntheticData needs at least one batch")
    self.batches = batches
    self.optimizer = optimizer
    self.optimizerParameters = optimizerParameters
  }

  /// The number of inner steps in one pass through the curriculum.
  public var stepCount: Int { batches.count }

  /// The optimiser's hyper-parameters at each step of one pass, for
  /// reports and exports (e.g. `learning_rate` and `momentum`).
  public var schedule: [[String: Float]] {
    (0..<stepCount).map { optimizer.hyperparameters(at: $0, metaParameters: optimizerParameters) }
  }

  /// Trains `learner` from `parameters` for `steps` steps on the data.
  ///
  /// - Parameters:
  ///   - learner: The architecture (need not be one meta-trained on).
  ///   - parameters: θ₀.
  ///   - steps: Inner steps; beyond ``stepCount`` the curriculum repeats.
  ///   - afterStep: Called with the step count done and the parameters.
  /// - Returns: The trained parameters.
  /// - Complexity: `steps` forward and backward passes of the learner.
  public func train(
    _ learner: any Learner, parameters: [Tensor], steps: Int, afterStep: (Int, [Tensor]) -> Void = { _, _ in }
  ) -> [Tensor] {
    let T = stepCount
    return LearnerTraining.train(
      learner, parameters: parameters, steps: steps, optimizer: optimizer, metaParameters: optimizerParameters,
      scheduleStep: { $0 % T }, batch: { (batches[$0 % T].images, batches[$0 % T].targets) }, afterStep: afterStep)
  }
}
