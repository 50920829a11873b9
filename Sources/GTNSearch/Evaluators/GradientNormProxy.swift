/// A zero-cost proxy: the norm of the loss gradient at initialisation on one
/// real batch, averaged over a few initialisations — no training at all
/// ("grad_norm" in Abdelfattah et al., "Zero-Cost Proxies for Lightweight
/// NAS", ICLR 2021). A baseline that any training-based proxy should beat.
public struct GradientNormProxy: ArchitectureEvaluator {
  public var images: Tensor
  public var labels: [Int]
  public var initializations: Int

  /// - Parameters:
  ///   - images: One real batch.
  ///   - labels: Its labels.
  ///   - initializations: Fresh initialisations averaged over.
  public init(images: Tensor, labels: [Int], initializations: Int = 3) {
    precondition(images.shape[0] == labels.count && !labels.isEmpty, "GradientNormProxy needs a labelled batch, got \(images.shape[0]) images and \(labels.count) labels")
    precondition(initializations >= 1, "GradientNormProxy needs at least one initialisation")
    self.images = images
    self.labels = labels
    self.initializations = initializations
  }

  public func score(_ learner: any Learner, seed: UInt64) -> Double {
    var rng = SplitMix64(seed: seed)
    var total = 0.0
    for _ in 0..<initializations {
      let parameters = learner.makeParameters(using: &rng).map { Variable($0, requiresGradient: true) }
      let loss = crossEntropy(logits: learner(Variable(images), parameters: parameters[...]), labels: labels)
      let squared = gradients(of: loss, withRespectTo: parameters).reduce(0.0) { sum, g in
        g.value.withUnsafeBufferPointer { p in p.reduce(sum) { $0 + Double($1) * Double($1) } }
      }
      total += squared.squareRoot()
    }
    return total / Double(initializations)
  }
}
