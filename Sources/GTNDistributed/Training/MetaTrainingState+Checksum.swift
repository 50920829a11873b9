import GTNCore

extension MetaTrainingState {
  /// A 64-bit FNV-1a hash of the whole state: the bit patterns of every
  /// meta-parameter and Adam moment (with their shapes), the iteration and
  /// the random stream.
  ///
  /// Equal states have equal checksums; data-parallel ranks compare theirs
  /// to check that they stayed bit-identical.
  ///
  /// - Complexity: O(number of meta-parameters).
  public var checksum: UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    func mix(_ word: UInt64) {
      var w = word
      for _ in 0..<8 {
        hash = (hash ^ (w & 0xFF)) &* 0x0000_0100_0000_01B3
        w >>= 8
      }
    }
    mix(UInt64(iteration))
    mix(rng.state)
    let parts = MetaParameters.Part.allCases.map { metaParameters[$0].values }
    for tensors in parts + [outerOptimizerState.firstMoments, outerOptimizerState.secondMoments] {
      mix(UInt64(tensors.count))
      for t in tensors {
        mix(UInt64(t.shape.count))
        for d in t.shape { mix(UInt64(d)) }
        t.withUnsafeBufferPointer { p in
          for x in p { hash = (hash ^ UInt64(x.bitPattern)) &* 0x0000_0100_0000_01B3 }
        }
      }
    }
    return hash
  }
}
