/// The optimiser of the inner loop: a differentiable update rule whose
/// hyper-parameters can themselves be meta-learned.
///
/// Updates must be written in variable operations so that the meta-gradient
/// flows through them — to the parameters, the gradients and the
/// hyper-parameters.
public protocol InnerOptimizer: Sendable {
  /// Initial values of the meta-learned hyper-parameters.
  func makeMetaParameters() -> [Tensor]

  /// The optimiser's initial per-parameter state (e.g. zero velocities).
  func makeState(for parameters: [Variable]) -> [Variable]

  /// One update.
  ///
  /// - Parameters:
  ///   - parameters: θ_t.
  ///   - gradients: ∇θ of the inner loss (differentiable).
  ///   - state: The optimiser state, updated in place.
  ///   - metaParameters: The hyper-parameters from ``makeMetaParameters()``.
  ///   - step: The inner step index t.
  /// - Returns: θ_{t+1}.
  func update(
    _ parameters: [Variable], gradients: [Variable], state: inout [Variable],
    metaParameters: [Variable], step: Int
  ) -> [Variable]
}
