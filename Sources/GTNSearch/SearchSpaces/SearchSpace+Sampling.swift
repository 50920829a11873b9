extension SearchSpace {
  /// Draws `count` distinct architectures, in the order first drawn.
  ///
  /// What a GTN meant to score a space should be meta-trained on: a GTN
  /// meta-trained for one learner can teach it well and still leave most of
  /// a space untrainable (its learned inner learning rates and image scales
  /// suit that learner alone), so the learners of its meta-training are drawn
  /// from the space it will score. `MetaTrainer` takes them as its learners
  /// and trains one per outer iteration:
  ///
  /// ```swift
  /// let space = CellSearchSpace(inputChannels: 3, imageSize: 32)
  /// var rng = SplitMix64(seed: 7)
  /// let learners = space.sample(count: 16, using: &rng).map(space.learner(for:))
  /// ```
  ///
  /// Complexity: O(`count`) draws while the space holds many more than
  /// `count` architectures.
  ///
  /// - Precondition: `count ≥ 1`, and the space holds `count` architectures
  ///   (checked by drawing: 100 draws per architecture still missing at
  ///   most).
  public func sample(count: Int, using generator: inout some RandomNumberGenerator) -> [Architecture] {
    precondition(count >= 1, "SearchSpace.sample(count:) needs count ≥ 1, got \(count)")
    var drawn: [Architecture] = []
    var seen = Set<Architecture>()
    var misses = 0
    while drawn.count < count {
      let architecture = sample(using: &generator)
      if seen.insert(architecture).inserted {
        drawn.append(architecture)
        misses = 0
      } else {
        misses += 1
        precondition(misses < 100, "SearchSpace.sample(count: \(count)): 100 draws in a row repeated one of the \(drawn.count) drawn; the space holds fewer")
      }
    }
    return drawn
  }
}
