/// How to draw a layer's initial weights.
public enum WeightInitialization: Sendable, Hashable, Codable {
  /// He/Kaiming uniform for a leaky ReLU of the given negative slope:
  /// `U(−b, b)` with `b = √(6 / ((1 + slope²) · fanIn))`.
  case kaimingUniform(negativeSlope: Float)
  /// Glorot/Xavier uniform: `b = √(6 / (fanIn + fanOut))`.
  case xavierUniform

  /// Draws a weight tensor of `shape` whose fan-in and fan-out are given.
  public func weights(
    shape: [Int], fanIn: Int, fanOut: Int, using generator: inout some RandomNumberGenerator
  ) -> Tensor {
    let bound: Float
    switch self {
    case .kaimingUniform(let slope):
      bound = (6 / ((1 + slope * slope) * Float(fanIn))).squareRoot()
    case .xavierUniform:
      bound = (6 / Float(fanIn + fanOut)).squareRoot()
    }
    return Tensor(randomUniform: shape, lowerBound: -bound, upperBound: bound, using: &generator)
  }
}

/// Weight normalisation's initial magnitude: the norm of each output unit's
/// direction vector, so the normalised weights start equal to the drawn ones.
func rowNorms(_ v: Tensor) -> Tensor {
  let rows = v.shape[0]
  let width = v.scalarCount / Swift.max(rows, 1)
  return Tensor(shape: [rows]) { out in
    v.withUnsafeBufferPointer { p in
      for r in 0..<rows {
        var s: Float = 0
        for j in 0..<width { s += p[r * width + j] * p[r * width + j] }
        out[r] = s.squareRoot()
      }
    }
  }
}
