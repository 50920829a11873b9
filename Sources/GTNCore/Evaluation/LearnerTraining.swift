/// Plain (non-meta) training of a learner with an inner optimiser — what a
/// GTN's data is *for*, and the real-data baseline it is compared with.
///
/// It runs the optimiser's own ``InnerOptimizer/update(_:gradients:state:metaParameters:step:)``
/// without recording a graph for it, so a learner trained here follows the
/// same rule as the learners inside meta-training.
public enum LearnerTraining {
  /// Trains `learner` for `steps` steps of `optimizer` on the batches that
  /// `batch(t)` returns.
  ///
  /// ```swift
  /// let sgd = SGDWithMomentum(learningRate: 0.05, momentum: 0.9)
  /// let theta = LearnerTraining.train(
  ///   learner, parameters: theta0, steps: 100, optimizer: sgd, metaParameters: sgd.makeMetaParameters(),
  ///   batch: { t in batches[t] })
  /// ```
  ///
  /// - Parameters:
  ///   - learner: The architecture.
  ///   - parameters: The initial parameters θ₀.
  ///   - steps: How many steps.
  ///   - optimizer: The update rule.
  ///   - metaParameters: Its hyper-parameters, named as in
  ///     ``InnerOptimizer/makeMetaParameters()``.
  ///   - scheduleStep: The step index the optimiser is given at step t
  ///     (e.g. `t % T` to cycle through a learned schedule of length T).
  ///   - batch: The images and `[B, K]` targets of step t.
  ///   - afterStep: Called with the step count done and the parameters.
  /// - Returns: The trained parameters.
  /// - Complexity: `steps` forward and backward passes of the learner.
  public static func train(
    _ learner: any Learner, parameters: [Tensor], steps: Int,
    optimizer: any InnerOptimizer, metaParameters: NamedTensors,
    scheduleStep: (Int) -> Int = { $0 },
    batch: (Int) -> (images: Tensor, targets: Tensor),
    afterStep: (Int, [Tensor]) -> Void = { _, _ in }
  ) -> [Tensor] {
    var theta = parameters
    let meta = metaParameters.mapValues { Variable($0) }
    var state = optimizer.makeState(for: theta.map { Variable($0) })
    for t in 0..<steps {
      let (images, targets) = batch(t)
      let variables = theta.map { Variable($0, requiresGradient: true) }
      let loss = crossEntropy(logits: learner(Variable(images), parameters: variables[...]), probabilities: Variable(targets))
      let grads = gradients(of: loss, withRespectTo: variables)
      theta = withoutGradientRecording {
        optimizer.update(variables.map(\.detached), gradients: grads.map(\.detached), state: &state,
                         metaParameters: meta, step: scheduleStep(t)).map(\.value)
      }
      afterStep(t + 1, theta)
    }
    return theta
  }
}
