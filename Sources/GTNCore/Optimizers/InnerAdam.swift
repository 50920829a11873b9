/// Adam (Kingma & Ba, 2015) as a differentiable inner optimiser with a
/// meta-learned learning rate:
///
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − η · m̂ / (√(v̂ + ε²) + ε)`, `η = exp(logη)`,
///
/// with bias-corrected `m̂`, `v̂` (the square root of `v̂ + ε²` keeps it
/// differentiable where `v̂ = 0`).
///
/// Meta-parameters: `log_learning_rate`, of shape `[1]`. State: the first
/// moments, then the second moments, one per parameter.
public struct InnerAdam: InnerOptimizer, Hashable, Codable {
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

  public func makeMetaParameters() -> NamedTensors {
    NamedTensors(names: ["log_learning_rate"], values: [Tensor(repeating: _logf(learningRate), shape: [1])])
  }

  public func makeState(for parameters: [Variable]) -> [Variable] {
    parameters.map { Variable(Tensor(zeros: $0.shape)) } + parameters.map { Variable(Tensor(zeros: $0.shape)) }
  }

  public func update(
    _ parameters: [Variable], gradients: [Variable], state: inout [Variable],
    metaParameters: NamedVariables, step: Int
  ) -> [Variable] {
    let n = parameters.count
    let eta = metaParameters["log_learning_rate"].exp()
    let t = Float(step + 1)
    let c1 = 1 / (1 - _powf(beta1, t))
    let c2 = 1 / (1 - _powf(beta2, t))
    var next: [Variable] = []
    for i in 0..<n {
      let m = state[i] * beta1 + gradients[i] * (1 - beta1)
      let v = state[n + i] * beta2 + gradients[i].squared() * (1 - beta2)
      state[i] = m
      state[n + i] = v
      let denominator = (v * c2 + epsilon * epsilon).squareRoot() + epsilon
      next.append(parameters[i] - (m * c1) / denominator * eta)
    }
    return next
  }

  /// `learning_rate`.
  public func hyperparameters(at step: Int, metaParameters: NamedTensors) -> [String: Float] {
    ["learning_rate": metaParameters["log_learning_rate"].exp().scalars[0]]
  }
}
