/// Plain (non-meta) training of a learner with SGD and momentum — what a
/// GTN's data is *for*, and the real-data baseline it is compared with.
public enum LearnerTraining {
  /// Trains `learner` for `steps` SGD-with-momentum steps
  /// (`v ← μ·v + g`, `θ ← θ − η·v`) on the batches that `batch(t)` returns.
  ///
  /// - Parameters:
  ///   - learner: The architecture.
  ///   - parameters: The initial parameters θ₀.
  ///   - steps: How many steps.
  ///   - learningRate: η at step t.
  ///   - momentum: μ at step t.
  ///   - batch: The images and `[B, K]` targets of step t.
  ///   - afterStep: Called with the step count done and the parameters.
  /// - Returns: The trained parameters.
  public static func train(
    _ learner: any Learner, parameters: [Tensor], steps: Int,
    learningRate: (Int) -> Float, momentum: (Int) -> Float,
    batch: (Int) -> (images: Tensor, targets: Tensor),
    afterStep: (Int, [Tensor]) -> Void = { _, _ in }
  ) -> [Tensor] {
    var theta = parameters
    var velocity = parameters.map { Tensor(zeros: $0.shape) }
    for t in 0..<steps {
      let (images, targets) = batch(t)
      let variables = theta.map { Variable($0, requiresGradient: true) }
      let loss = crossEntropy(logits: learner(Variable(images), parameters: variables[...]), probabilities: Variable(targets))
      let grads = gradients(of: loss, withRespectTo: variables)
      let (eta, mu) = (learningRate(t), momentum(t))
      for i in theta.indices {
        grads[i].value.withUnsafeBufferPointer { g in
          velocity[i].withUnsafeMutableBufferPointer { v in
            theta[i].withUnsafeMutableBufferPointer { p in
              for j in 0..<p.count {
                v[j] = mu * v[j] + g[j]
                p[j] -= eta * v[j]
              }
            }
          }
        }
      }
      afterStep(t + 1, theta)
    }
    return theta
  }
}

/// The mean and the (population) standard deviation of a sample.
public struct MeanAndDeviation: Sendable, Codable, Hashable, CustomStringConvertible {
  public var mean: Double
  public var standardDeviation: Double
  public var count: Int

  public init(_ values: [Double]) {
    count = values.count
    mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    let m = mean
    standardDeviation = values.isEmpty ? 0 : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot()
  }

  public var description: String {
    "\((mean * 10000).rounded() / 100)% ± \((standardDeviation * 10000).rounded() / 100)"
  }
}
