/// The optimiser of the inner loop: a differentiable update rule whose
/// hyper-parameters can themselves be meta-learned.
///
/// Like Optax's `GradientTransformation`, an optimiser is an init/update
/// pair and its state is a value: ``makeState(for:)`` gives the state before
/// the first step, ``update(_:gradients:state:metaParameters:step:)`` takes
/// θ_t and returns θ_{t+1}, advancing the state. The same `update` runs
/// everywhere: inside meta-training (recorded, so the meta-gradient flows
/// through it), when fresh learners are trained on the learned data
/// (``MetaTrainer/evaluate(learner:stepCounts:seeds:testImages:testLabels:)``,
/// ``SyntheticData/train(_:parameters:steps:afterStep:)``), in the real-data
/// baseline and in architecture-search proxies.
///
/// Updates must be written in variable operations so that the meta-gradient
/// flows through them — to the parameters, the gradients and the
/// hyper-parameters.
///
/// ```swift
/// struct PlainSGD: InnerOptimizer {
///   func makeMetaParameters() -> NamedTensors {
///     NamedTensors(names: ["log_learning_rate"], values: [Tensor(repeating: -3, shape: [1])])  // η = e⁻³ ≈ 0.05
///   }
///   func makeState(for parameters: [Variable]) -> [Variable] { [] }
///   func update(_ parameters: [Variable], gradients: [Variable], state: inout [Variable],
///               metaParameters: NamedVariables, step: Int) -> [Variable] {
///     let eta = metaParameters["log_learning_rate"].exp()
///     return zip(parameters, gradients).map { $1.scaled(by: -eta, adding: $0) }
///   }
/// }
/// ```
public protocol InnerOptimizer: Sendable {
  /// Initial values of the meta-learned hyper-parameters, by name (they
  /// become ``MetaParameters/optimizer``; checkpoints key them
  /// `optimizer.<name>`). An optimiser with nothing to learn returns an
  /// empty list.
  func makeMetaParameters() -> NamedTensors

  /// The optimiser's state before the first step (e.g. zero velocities).
  func makeState(for parameters: [Variable]) -> [Variable]

  /// One update.
  ///
  /// - Parameters:
  ///   - parameters: θ_t.
  ///   - gradients: ∇θ of the inner loss (differentiable).
  ///   - state: The optimiser state, advanced in place.
  ///   - metaParameters: The hyper-parameters, named as in
  ///     ``makeMetaParameters()``.
  ///   - step: The inner step index t.
  /// - Returns: θ_{t+1}.
  func update(
    _ parameters: [Variable], gradients: [Variable], state: inout [Variable],
    metaParameters: NamedVariables, step: Int
  ) -> [Variable]

  /// The hyper-parameters in effect at `step`, in plain numbers, for
  /// reports and exports (e.g. `["learning_rate": 0.03, "momentum": 0.6]`).
  /// The default reports none.
  func hyperparameters(at step: Int, metaParameters: NamedTensors) -> [String: Float]
}

extension InnerOptimizer {
  public func hyperparameters(at step: Int, metaParameters: NamedTensors) -> [String: Float] { [:] }
}
