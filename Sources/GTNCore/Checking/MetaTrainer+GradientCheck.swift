extension MetaTrainer {
  /// Checks the exact meta-gradient against central differences of the
  /// meta-loss along a few directions through all meta-parameters at once.
  ///
  /// The first direction is the gradient itself (where the directional
  /// derivative is ‖g‖), the others are random. Each directional derivative
  /// `⟨g, v⟩` is compared with the sixth-order difference
  /// `(45(L₊₁ − L₋₁) − 9(L₊₂ − L₋₂) + (L₊₃ − L₋₃)) / 60h`, and errors are
  /// relative to ‖g‖ — the largest directional derivative — so that float32
  /// rounding in nearly orthogonal directions is not mistaken for a wrong
  /// gradient.
  ///
  /// Use it on smooth configurations: with ReLU-family learners the inner
  /// gradients contain step functions, and the unrolled meta-loss jumps
  /// wherever an inner activation changes sign, so no finite difference is
  /// meaningful there.
  ///
  /// - Parameters:
  ///   - learner: The learner architecture.
  ///   - initialParameters: θ₀.
  ///   - seed: The outer seed.
  ///   - realImages: The real batch.
  ///   - realLabels: Its labels.
  ///   - randomDirections: How many random directions besides the gradient.
  ///   - step: The difference step h along unit directions.
  ///   - rng: Draws the random directions.
  /// - Returns: Per direction, the analytic and finite-difference
  ///   derivatives and their difference relative to ‖g‖.
  public func checkMetaGradient(
    learner: any Learner, initialParameters: [Tensor], seed: UInt64, realImages: Tensor, realLabels: [Int],
    randomDirections: Int = 2, step: Double = 2e-2, using rng: inout some RandomNumberGenerator
  ) -> [(analytic: Double, finiteDifference: Double, relativeError: Double)] {
    func run(_ trainer: MetaTrainer) -> (loss: Float, gradients: [Tensor]) {
      let result = trainer.metaGradient(
        learner: learner, initialParameters: initialParameters, seed: seed, realImages: realImages, realLabels: realLabels)
      return (result.loss, result.gradients.tensors)
    }
    func dot(_ a: [Tensor], _ b: [Tensor]) -> Double {
      zip(a, b).reduce(0.0) { $0 + zip($1.0.scalars, $1.1.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
    }
    let g = run(self).gradients
    let norm = dot(g, g).squareRoot()
    var results: [(Double, Double, Double)] = []
    for k in 0...randomDirections {
      var v = k == 0 ? g : state.metaParameters.tensors.map { Tensor(randomNormal: $0.shape, using: &rng) }
      let length = dot(v, v).squareRoot()
      v = v.map { $0 * Float(1 / Swift.max(length, 1e-30)) }
      func loss(_ t: Double) -> Double {
        var moved = self
        moved.state.metaParameters = state.metaParameters.replacingTensors(with: zip(state.metaParameters.tensors, v).map { $0 + $1 * Float(t) })
        return Double(run(moved).loss)
      }
      let d = (1...3).map { j in (loss(Double(j) * step) - loss(-Double(j) * step)) / (2 * Double(j) * step) }
      let numeric = (15 * d[0] - 6 * d[1] + d[2]) / 10
      let analytic = dot(g, v)
      results.append((analytic, numeric, abs(analytic - numeric) / Swift.max(norm, 1e-30)))
    }
    return results
  }
}
