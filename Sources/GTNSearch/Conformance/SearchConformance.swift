import Foundation

/// Checks that a search space or strategy of another package honours the
/// contracts the search machinery relies on, in the spirit of
/// swift-configuration's provider compatibility tests: call it from your own
/// tests and assert that the returned list is empty.
///
/// ```swift
/// @Test func mySpaceConforms() {
///   #expect(SearchConformance.problems(of: MySpace(), sampleImage: [1, 28, 28]).isEmpty)
/// }
/// ```
public enum SearchConformance {
  /// The contract violations of `space`, as readable sentences (empty when
  /// it conforms).
  ///
  /// Checked, over `trials` seeded samples and mutations: sampling and
  /// mutation are deterministic given the generator; encodings are stable
  /// (equal architectures, equal strings) and distinguish different
  /// architectures; architectures survive a JSON round trip; built learners
  /// map a `[2] + sampleImage` batch to `[2, K]` logits with as many
  /// parameters as they declare.
  public static func problems<Space: SearchSpace>(of space: Space, sampleImage: [Int], trials: Int = 20) -> [String] {
    var problems: [String] = []
    var a = SplitMix64(seed: 42)
    var b = SplitMix64(seed: 42)
    var seen: [String: Space.Architecture] = [:]
    for trial in 0..<trials {
      let x = space.sample(using: &a)
      let y = space.sample(using: &b)
      if x != y { problems.append("sample(using:) differs for equal generators (trial \(trial))") }
      let mx = space.mutate(x, using: &a)
      let my = space.mutate(y, using: &b)
      if mx != my { problems.append("mutate(_:using:) differs for equal generators (trial \(trial))") }
      for architecture in [x, mx] {
        let encoding = space.encoding(of: architecture)
        if encoding != space.encoding(of: architecture) { problems.append("encoding(of:) is not stable for \(encoding)") }
        if let other = seen[encoding], other != architecture {
          problems.append("encoding \(encoding) names two different architectures")
        }
        seen[encoding] = architecture
        do {
          let decoded = try JSONDecoder().decode(Space.Architecture.self, from: JSONEncoder().encode(architecture))
          if decoded != architecture { problems.append("\(encoding) changes in a JSON round trip") }
        } catch {
          problems.append("\(encoding) fails a JSON round trip: \(error)")
        }
      }
    }
    // Build and run a few learners.
    var rng = SplitMix64(seed: 7)
    for _ in 0..<Swift.min(3, trials) {
      let architecture = space.sample(using: &rng)
      let learner = space.learner(for: architecture)
      let parameters = learner.makeParameters(using: &rng)
      if parameters.count != learner.parameterCount {
        problems.append("\(space.encoding(of: architecture)): makeParameters gives \(parameters.count) tensors, parameterCount says \(learner.parameterCount)")
        continue
      }
      let input = Variable(Tensor(randomNormal: [2] + sampleImage, using: &rng))
      let logits = withoutGradientRecording { learner(input, parameters: parameters.map { Variable($0) }[...]) }
      if logits.rank != 2 || logits.shape[0] != 2 {
        problems.append("\(space.encoding(of: architecture)): learner output has shape \(logits.shape), expected [2, K]")
      }
    }
    return problems
  }

  /// The contract violations of `strategy` in `space`: proposals must be
  /// deterministic given the history and the generator, for empty and
  /// non-empty histories.
  public static func problems<Strategy: SearchStrategy>(
    of strategy: Strategy, in space: Strategy.Space, historyLength: Int = 30
  ) -> [String] {
    var problems: [String] = []
    var history: [SearchRecord<Strategy.Space.Architecture>] = []
    var scoring = SplitMix64(seed: 3)
    for index in 0...historyLength {
      var a = SplitMix64(seed: UInt64(index))
      var b = SplitMix64(seed: UInt64(index))
      let x = strategy.propose(in: space, history: history, using: &a)
      let y = strategy.propose(in: space, history: history, using: &b)
      if x != y { problems.append("propose differs for equal histories and generators at history length \(index)") }
      history.append(SearchRecord(
        index: index, encoding: space.encoding(of: x), architecture: x,
        score: Double.random(in: 0..<1, using: &scoring), seconds: 0))
    }
    return problems
  }
}
