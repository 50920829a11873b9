/// Stochastic gradient descent with momentum whose learning rate and
/// momentum are meta-learned:
///
/// `v ← μ·v + g`,  `θ ← θ − η·v`,  `η = exp(logη)`,  `μ = σ(logit μ)`.
///
/// With `perStep: true` each inner step has its own η and μ (the GTN paper's
/// MNIST setup); otherwise one pair is shared by all steps.
public struct SGDWithMomentum: InnerOptimizer {
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
    self.learningRate = learningRate
    self.momentum = momentum
    self.scheduleLength = perStep ? stepCount : 1
  }

  public func makeMetaParameters() -> [Tensor] {
    [Tensor(repeating: _logf(learningRate), shape: [scheduleLength]),
     Tensor(repeating: _logf(momentum / (1 - momentum)), shape: [scheduleLength])]
  }

  public func makeState(for parameters: [Variable]) -> [Variable] {
    parameters.map { Variable(Tensor(zeros: $0.shape)) }
  }

  public func update(
    _ parameters: [Variable], gradients: [Variable], state: inout [Variable],
    metaParameters: [Variable], step: Int
  ) -> [Variable] {
    let k = Swift.min(step, scheduleLength - 1)
    let eta = metaParameters[0].slice(alongAxis: 0, k..<(k + 1)).exp()
    let mu = metaParameters[1].slice(alongAxis: 0, k..<(k + 1)).sigmoid()
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

  /// The learning rate and momentum in effect at each step.
  public static func schedule(_ metaParameters: [Tensor]) -> (learningRates: [Float], momenta: [Float]) {
    (metaParameters[0].exp().scalars, metaParameters[1].sigmoid().scalars)
  }
}

/// Adam (Kingma & Ba, 2015) as a differentiable inner optimiser with a
/// meta-learned learning rate.
public struct InnerAdam: InnerOptimizer {
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float

  public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  public func makeMetaParameters() -> [Tensor] { [Tensor(repeating: _logf(learningRate), shape: [1])] }

  public func makeState(for parameters: [Variable]) -> [Variable] {
    parameters.map { Variable(Tensor(zeros: $0.shape)) } + parameters.map { Variable(Tensor(zeros: $0.shape)) }
  }

  public func update(
    _ parameters: [Variable], gradients: [Variable], state: inout [Variable],
    metaParameters: [Variable], step: Int
  ) -> [Variable] {
    let n = parameters.count
    let eta = metaParameters[0].exp()
    let t = Float(step + 1)
    let c1 = 1 / (1 - _powf(beta1, t))
    let c2 = 1 / (1 - _powf(beta2, t))
    var next: [Variable] = []
    for i in 0..<n {
      let m = state[i] * beta1 + gradients[i] * (1 - beta1)
      let v = state[n + i] * beta2 + gradients[i].squared() * (1 - beta2)
      state[i] = m
      state[n + i] = v
      // √(v̂ + ε²) keeps the square root differentiable where v̂ = 0.
      let denominator = (v * c2 + epsilon * epsilon).squareRoot() + epsilon
      next.append(parameters[i] - (m * c1) / denominator * eta)
    }
    return next
  }
}
