/// Stochastic gradient descent with momentum whose learning rate and
/// momentum are meta-learned:
///
/// `v ← μ·v + g`,  `θ ← θ − η·v`,  `η = exp(logη)`,  `μ = σ(logit μ)`.
///
/// With `perStep: true` each inner step has its own η and μ (the GTN paper's
/// MNIST setup); otherwise one pair is shared by all steps. Steps beyond the
/// schedule use its last entry.
///
/// Meta-parameters: `log_learning_rate` and `momentum_logit`, each of shape
/// `[scheduleLength]`.
///
/// ```swift
/// let optimizer = SGDWithMomentum(learningRate: 0.02, momentum: 0.5, stepCount: 32, perStep: true)
/// ```
public struct SGDWithMomentum: InnerOptimizer, Hashable, Codable {
  public var learningRate: Float
  public var momentum: Float
  /// The number of separately learned (η, μ) pairs: the step count when
  /// learned per step, else 1.
  public var scheduleLength: Int

  /// - Parameters:
  ///   - learningRate: The initial η.
  ///   - momentum: The initial μ, in (0, 1).
  ///   - stepCount: With `perStep`, the number of inner steps.
  ///   - perStep: Whether every step learns its own η and μ.
  public init(learningRate: Float = 0.02, momentum: Float = 0.5, stepCount: Int = 1, perStep: Bool = false) {
    precondition(learningRate > 0 && momentum > 0 && momentum < 1, "SGDWithMomentum needs η > 0 and 0 < μ < 1, got \(learningRate), \(momentum)")
    precondition(stepCount > 0, "SGDWithMomentum needs a positive step count, got \(stepCount)")
    self.learningRate = learningRate
    self.momentum = momentum
    self.scheduleLength = perStep ? stepCount : 1
  }

  public func makeMetaParameters() -> NamedTensors {
    NamedTensors(
      names: ["log_learning_rate", "momentum_logit"],
      values: [Tensor(repeating: _logf(learningRate), shape: [scheduleLength]),
               Tensor(repeating: _logf(momentum / (1 - momentum)), shape: [scheduleLength])])
  }

  public func makeState(for parameters: [Variable]) -> [Variable] {
    parameters.map { Variable(Tensor(zeros: $0.shape)) }
  }

  public func update(
    _ parameters: [Variable], gradients: [Variable], state: inout [Variable],
    metaParameters: NamedVariables, step: Int
  ) -> [Variable] {
    let logRates = metaParameters["log_learning_rate"]
    let k = Swift.min(step, logRates.shape[0] - 1)
    let eta = logRates.slice(alongAxis: 0, k..<(k + 1)).exp()
    let mu = metaParameters["momentum_logit"].slice(alongAxis: 0, k..<(k + 1)).sigmoid()
    var next: [Variable] = []
    next.reserveCapacity(parameters.count)
    for i in parameters.indices {
      // μ·v + g and θ − η·v, each one pass (bit-identical to the
      // elementwise expressions).
      let v = state[i].scaled(by: mu, adding: gradients[i])
      state[i] = v
      next.append(v.scaled(by: -eta, adding: parameters[i]))
    }
    return next
  }

  /// `learning_rate` and `momentum` at `step`.
  public func hyperparameters(at step: Int, metaParameters: NamedTensors) -> [String: Float] {
    let (rates, momenta) = Self.schedule(metaParameters)
    let k = Swift.min(step, rates.count - 1)
    return ["learning_rate": rates[k], "momentum": momenta[k]]
  }

  /// The learning rate and momentum in effect at each step of the schedule.
  public static func schedule(_ metaParameters: NamedTensors) -> (learningRates: [Float], momenta: [Float]) {
    (metaParameters["log_learning_rate"].exp().scalars, metaParameters["momentum_logit"].sigmoid().scalars)
  }
}
