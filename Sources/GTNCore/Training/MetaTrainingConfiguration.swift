/// The outer loop's settings.
public struct MetaTrainingConfiguration: Codable, Sendable, Hashable {
  /// Outer iterations in the whole run (sets the cosine schedule's length).
  public var iterations: Int
  /// Adam's initial learning rate for the meta-parameters.
  public var learningRate: Float
  /// Adam's β₁ and β₂.
  public var beta1: Float, beta2: Float
  /// The learning rate decays along a half cosine to this fraction of
  /// `learningRate` at the last iteration (1 disables the decay).
  public var finalLearningRateFraction: Float
  /// Meta-gradients are rescaled to at most this global L2 norm (`nil`: no
  /// clipping).
  public var gradientClipNorm: Float?
  /// Adds the real-data loss after every `k`-th inner step to the
  /// meta-loss (`nil`: only the final loss). The paper's MNIST run uses 1.
  public var intermediateLossInterval: Int?
  /// Gradient checkpointing: the unrolled loop is split into segments of
  /// this many steps; only segment boundaries are stored and each segment is
  /// recomputed during the backward pass. `nil` keeps the whole graph.
  public var checkpointSegmentLength: Int?

  public init(
    iterations: Int, learningRate: Float = 0.02, beta1: Float = 0.9, beta2: Float = 0.999,
    finalLearningRateFraction: Float = 0.1, gradientClipNorm: Float? = 10,
    intermediateLossInterval: Int? = nil, checkpointSegmentLength: Int? = nil
  ) {
    precondition(iterations > 0 && learningRate > 0, "MetaTrainingConfiguration needs positive iterations and learning rate")
    self.iterations = iterations
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.finalLearningRateFraction = finalLearningRateFraction
    self.gradientClipNorm = gradientClipNorm
    self.intermediateLossInterval = intermediateLossInterval
    self.checkpointSegmentLength = checkpointSegmentLength
  }

  /// The outer learning rate at `iteration` (0-based).
  public func learningRate(at iteration: Int) -> Float {
    let progress = Double(Swift.min(iteration, iterations)) / Double(Swift.max(iterations - 1, 1))
    let cosine = Float(0.5 * (1 + _cos(Double.pi * Swift.min(progress, 1))))
    return learningRate * (finalLearningRateFraction + (1 - finalLearningRateFraction) * cosine)
  }
}
