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
