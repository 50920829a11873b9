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

extension SplitMix64 {
  /// The seed of stream `index` of a run seeded with `seed`.
  ///
  /// Runs that need several independent, reproducible streams from one seed —
  /// one per search candidate, per ground-truth training, per final
  /// retraining, per inner step of a curriculum — take stream `index` from
  ///
  ///     seed ⊕ (index · φ),  φ = 0x9E37_79B9_7F4A_7C15 (2⁶⁴ / golden ratio, odd),
  ///
  /// multiplication wrapping modulo 2⁶⁴. Multiplying by an odd constant is a
  /// bijection, so distinct indices give distinct seeds for any `seed`, and
  /// stream 0 is `seed` itself; callers that must not share a stream with the
  /// run's own seed start their indices at 1. A ``SplitMix64`` seeded with the
  /// result scrambles it, so neighbouring streams do not produce related
  /// values.
  ///
  /// - Complexity: O(1).
  @inlinable
  public static func seed(_ seed: UInt64, stream index: UInt64) -> UInt64 {
    seed ^ (index &* 0x9E37_79B9_7F4A_7C15)
  }
}
