extension Variable {
  /// Weight normalisation (Salimans & Kingma, 2016): `w = g · v / ‖v‖`,
  /// with one norm per output unit (per slice along axis 0).
  ///
  /// - Parameters:
  ///   - v: The direction, of shape `[O, …]`.
  ///   - g: The magnitude, of shape `[O]`.
  /// - Returns: `w` with the shape of `v`.
  public static func weightNormalized(direction v: Variable, magnitude g: Variable) -> Variable {
    precondition(g.shape == [v.shape[0]], "weightNormalized: magnitude \(g.shape) for direction \(v.shape)")
    let axes = Array(1..<v.rank)
    let unitShape = [v.shape[0]] + Array(repeating: 1, count: v.rank - 1)
    let norm = (v.squared().sum(alongAxes: axes) + 1e-12).squareRoot()
    return v * (g.reshaped(to: unitShape) / norm)
  }

  /// Subtracts the mean along `axes` (mean-only batch normalisation, as in
  /// the GTN paper's learners).
  public func meanCentered(alongAxes axes: [Int]) -> Variable {
    self - mean(alongAxes: axes)
  }

  /// Standardises along `axes`: `(x − mean) / √(var + ε)` with the biased
  /// variance, as batch normalisation does with batch statistics.
  public func standardized(alongAxes axes: [Int], epsilon: Float = 1e-5) -> Variable {
    let centered = meanCentered(alongAxes: axes)
    let variance = centered.squared().mean(alongAxes: axes)
    return centered / (variance + epsilon).squareRoot()
  }
}
