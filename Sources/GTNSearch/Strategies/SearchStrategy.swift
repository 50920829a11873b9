/// One evaluated candidate of a search.
public struct SearchRecord<Architecture: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
  /// The candidate's position in the search (0-based).
  public var index: Int
  /// The architecture's stable encoding.
  public var encoding: String
  /// The architecture itself.
  public var architecture: Architecture
  /// The proxy score of *this* architecture.
  public var score: Double
  /// Wall-clock seconds the evaluation took (0 for a repeat).
  public var seconds: Double
  /// For a candidate whose architecture an earlier candidate already had:
  /// that candidate's index, whose score this record repeats without
  /// evaluating again. `nil` for an evaluated candidate.
  public var repeatOf: Int?

  public init(index: Int, encoding: String, architecture: Architecture, score: Double, seconds: Double, repeatOf: Int? = nil) {
    self.index = index
    self.encoding = encoding
    self.architecture = architecture
    self.score = score
    self.seconds = seconds
    self.repeatOf = repeatOf
  }

  /// This record as the repeat, at `index`, of the evaluated candidate it
  /// describes.
  package func repeated(at index: Int) -> SearchRecord {
    SearchRecord(index: index, encoding: encoding, architecture: architecture, score: score, seconds: 0, repeatOf: self.index)
  }
}

/// How a search chooses the next candidate to evaluate.
///
/// A strategy decides from the records so far and a random generator only,
/// so a search resumed from its records continues exactly as it would have.
/// Conform with one method:
///
/// ```swift
/// struct MutateBest<Space: SearchSpace>: SearchStrategy {
///   func propose(in space: Space, history: [SearchRecord<Space.Architecture>],
///                using generator: inout some RandomNumberGenerator) -> Space.Architecture {
///     guard let best = history.max(by: { $0.score < $1.score }) else { return space.sample(using: &generator) }
///     return space.mutate(best.architecture, using: &generator)
///   }
/// }
/// ```
public protocol SearchStrategy<Space>: Sendable {
  associatedtype Space: SearchSpace

  /// The next architecture to evaluate.
  func propose(
    in space: Space, history: [SearchRecord<Space.Architecture>], using generator: inout some RandomNumberGenerator
  ) -> Space.Architecture

  /// Whether the proposal of candidate `index` reads the *scores* of
  /// earlier candidates.
  ///
  /// When it does not, ``propose(in:history:using:)`` for that index must
  /// return the same architecture for any prefix of the history (given the
  /// same generator), so a parallel search may propose it before earlier
  /// candidates finish and still match the serial search exactly. The
  /// default, `true`, is always safe.
  func proposalReadsScores(at index: Int) -> Bool
}

extension SearchStrategy {
  public func proposalReadsScores(at index: Int) -> Bool { true }
}

/// Random search: every candidate is drawn independently from the space.
public struct RandomSearch<Space: SearchSpace>: SearchStrategy {
  public init() {}
  public func propose(
    in space: Space, history: [SearchRecord<Space.Architecture>], using generator: inout some RandomNumberGenerator
  ) -> Space.Architecture {
    space.sample(using: &generator)
  }

  /// Never: every candidate is an independent draw.
  public func proposalReadsScores(at index: Int) -> Bool { false }
}

/// Regularized (aging) evolution (Real, Aggarwal, Huang & Le, AAAI 2019):
/// after `populationSize` random candidates, each new candidate mutates the
/// best of `sampleSize` members drawn from the `populationSize` most recent
/// ones, so old members age out whatever their score.
public struct RegularizedEvolution<Space: SearchSpace>: SearchStrategy {
  public var populationSize: Int
  public var sampleSize: Int

  public init(populationSize: Int = 20, sampleSize: Int = 5) {
    precondition(populationSize >= 1 && sampleSize >= 1 && sampleSize <= populationSize, "RegularizedEvolution needs 1 ≤ sampleSize ≤ populationSize, got \(sampleSize), \(populationSize)")
    self.populationSize = populationSize
    self.sampleSize = sampleSize
  }

  public func propose(
    in space: Space, history: [SearchRecord<Space.Architecture>], using generator: inout some RandomNumberGenerator
  ) -> Space.Architecture {
    guard history.count >= populationSize else { return space.sample(using: &generator) }
    let population = history.suffix(populationSize)
    var best: SearchRecord<Space.Architecture>? = nil
    for _ in 0..<sampleSize {
      let member = population.randomElement(using: &generator)!
      if best == nil || member.score > best!.score { best = member }
    }
    return space.mutate(best!.architecture, using: &generator)
  }

  /// From candidate `populationSize` on (the first `populationSize` are
  /// random draws).
  public func proposalReadsScores(at index: Int) -> Bool { index >= populationSize }
}
