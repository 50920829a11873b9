/// Batch normalisation with the current batch's statistics (no running
/// averages), as the GTN paper's learners and generators use it.
///
/// Mean-only: `y = x − mean_batch(x) + β`. Full: `y = γ·(x − μ)/√(σ² + ε) + β`.
/// Statistics are taken over the batch (and, for NCHW inputs, the spatial
/// positions), per feature or channel.
public struct BatchNorm: Layer, Codable, Hashable {
  public var featureCount: Int
  public var meanOnly: Bool
  public var epsilon: Float

  /// - Parameters:
  ///   - featureCount: Features (rank-2 input) or channels (NCHW input).
  ///   - meanOnly: Subtract the mean only (Salimans & Kingma's mean-only
  ///     batch norm, used with weight normalisation).
  ///   - epsilon: Added to the variance.
  public init(_ featureCount: Int, meanOnly: Bool = false, epsilon: Float = 1e-5) {
    self.featureCount = featureCount
    self.meanOnly = meanOnly
    self.epsilon = epsilon
  }

  public var parameterCount: Int { meanOnly ? 1 : 2 }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    meanOnly ? [Tensor(zeros: [featureCount])] : [Tensor(ones: [featureCount]), Tensor(zeros: [featureCount])]
  }

  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    precondition((input.rank == 2 || input.rank == 4) && input.shape[1] == featureCount, "BatchNorm(\(featureCount)) got input of shape \(input.shape)")
    let axes = input.rank == 4 ? [0, 2, 3] : [0]
    let featureShape = input.rank == 4 ? [1, featureCount, 1, 1] : [1, featureCount]
    let p = Array(parameters)
    if meanOnly {
      return input.meanCentered(alongAxes: axes) + p[0].reshaped(to: featureShape)
    }
    // γ/√(σ² + ε) per feature first: the full-size tensor is then multiplied
    // once, instead of divided by √(σ² + ε) and multiplied by γ, which
    // saves two full-size passes forward and more in every backward pass.
    let centered = input.meanCentered(alongAxes: axes)
    let variance = centered.squared().mean(alongAxes: axes)
    let factor = p[0].reshaped(to: featureShape) / (variance + epsilon).squareRoot()
    return centered * factor + p[1].reshaped(to: featureShape)
  }
}

extension BatchNorm {
  /// `["shift"]` (mean-only), else `["scale", "shift"]`.
  public var parameterNames: [String] { meanOnly ? ["shift"] : ["scale", "shift"] }

  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    guard (shape.count == 2 || shape.count == 4) && shape[1] == featureCount else {
      throw LayerShapeError(layer: "BatchNorm(\(featureCount))", expected: "[N, \(featureCount)] or [N, \(featureCount), H, W]", inputShape: shape)
    }
    return shape
  }
}
