import Foundation

/// A zero-cost, data-free proxy: the synaptic flow of the network at
/// initialisation ("synflow" in Abdelfattah et al., "Zero-Cost Proxies for
/// Lightweight NAS", ICLR 2021, after Tanaka et al., "Pruning neural networks
/// without any data by iteratively conserving synaptic flow", NeurIPS 2020).
///
/// Every parameter is replaced by its absolute value, one all-ones image is
/// passed through, and with `R = Σ outputs`
///
///     synflow = Σ_θ Σ_i |θ_i · ∂R/∂θ_i|,
///
/// summed over all parameters, averaged over a few initialisations. The
/// score returned is `log(synflow)`: the sum grows with the product of the
/// layers' scales and spans many orders of magnitude, and the logarithm keeps
/// the ranking (what a proxy is for) in float32's range.
///
/// ```swift
/// let proxy = SynFlowProxy(imageShape: [1, 28, 28])
/// let score = proxy.score(Sequential.mlpLearner(), seed: 1)
/// ```
///
/// Batch normalisation runs as the learner runs it, on the batch of one
/// image (its spatial statistics).
///
/// - Complexity: one forward and one backward pass of one image per
///   initialisation.
public struct SynFlowProxy: ArchitectureEvaluator {
  /// The shape of one image, `[C, H, W]`.
  public var imageShape: [Int]
  /// Fresh initialisations averaged over.
  public var initializations: Int

  public init(imageShape: [Int], initializations: Int = 1) {
    precondition(!imageShape.isEmpty && imageShape.allSatisfy { $0 > 0 }, "SynFlowProxy needs an image shape, got \(imageShape)")
    precondition(initializations >= 1, "SynFlowProxy needs at least one initialisation")
    self.imageShape = imageShape
    self.initializations = initializations
  }

  public func score(_ learner: any Learner, seed: UInt64) -> Double {
    var rng = SplitMix64(seed: seed)
    var total = 0.0
    for _ in 0..<initializations {
      let parameters = learner.makeParameters(using: &rng).map { Variable($0.map(Swift.abs), requiresGradient: true) }
      let output = learner(Variable(Tensor(ones: [1] + imageShape)), parameters: parameters[...])
      let flow = gradients(of: output.sum(), withRespectTo: parameters)
      for (parameter, gradient) in zip(parameters, flow) {
        parameter.value.withUnsafeBufferPointer { p in
          gradient.value.withUnsafeBufferPointer { g in
            for i in p.indices { total += Swift.abs(Double(p[i]) * Double(g[i])) }
          }
        }
      }
    }
    return Foundation.log(total / Double(initializations))
  }
}
