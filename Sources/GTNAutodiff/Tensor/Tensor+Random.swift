extension Tensor {
  /// Creates a tensor of independent samples from a normal distribution.
  ///
  /// Samples come from the Box–Muller transform of uniform draws taken from
  /// `generator`, so equal seeds give equal tensors on every platform.
  ///
  /// ```swift
  /// var rng = SplitMix64(seed: 42)
  /// let z = Tensor(randomNormal: [64, 128], using: &rng)
  /// ```
  ///
  /// - Parameters:
  ///   - shape: The shape of the result.
  ///   - mean: The mean of the distribution.
  ///   - standardDeviation: The standard deviation of the distribution.
  ///   - generator: The source of randomness.
  /// - Complexity: O(n) for n elements.
  public init(
    randomNormal shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
    using generator: inout some RandomNumberGenerator
  ) {
    self.init(shape: shape) { buffer in
      var i = 0
      let n = buffer.count
      while i < n {
        // Box–Muller: two uniforms in (0, 1] give two independent normals.
        let u1 = Double(generator.next() >> 11 &+ 1) * 0x1p-53
        let u2 = Double(generator.next() >> 11) * 0x1p-53
        let r = (-2 * _log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        buffer[i] = mean + standardDeviation * Float(r * _cos(theta))
        if i + 1 < n { buffer[i + 1] = mean + standardDeviation * Float(r * _sin(theta)) }
        i += 2
      }
    }
  }

  /// Creates a tensor of independent samples from the uniform distribution on
  /// `[lowerBound, upperBound)`.
  ///
  /// - Parameters:
  ///   - shape: The shape of the result.
  ///   - lowerBound: The smallest value that can be drawn.
  ///   - upperBound: The bound that no value reaches.
  ///   - generator: The source of randomness.
  /// - Complexity: O(n) for n elements.
  public init(
    randomUniform shape: [Int], lowerBound: Float = 0, upperBound: Float = 1,
    using generator: inout some RandomNumberGenerator
  ) {
    precondition(lowerBound <= upperBound, "randomUniform needs lowerBound ≤ upperBound, got \(lowerBound) > \(upperBound)")
    let width = Double(upperBound) - Double(lowerBound)
    self.init(shape: shape) { buffer in
      for i in buffer.indices {
        let u = Double(generator.next() >> 11) * 0x1p-53
        buffer[i] = Float(Double(lowerBound) + width * u)
      }
    }
  }
}

/// A small, fast, seedable random number generator (Steele, Lea & Flood's
/// SplitMix64).
///
/// Every random API in this package takes `using: inout some
/// RandomNumberGenerator`; `SplitMix64` is a convenient deterministic choice:
/// the same seed gives the same stream on every platform.
///
/// - Reference: G. L. Steele, D. Lea, C. H. Flood, "Fast splittable
///   pseudorandom number generators", OOPSLA 2014.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Hashable {
  /// The generator's whole state; saving it and restoring it resumes the stream.
  public var state: UInt64

  /// Creates a generator from a seed.
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
