/// A family of learner architectures that a search explores.
///
/// An architecture is a value that encodes itself as a stable, readable
/// string and as JSON, can be drawn at random and mutated with a seeded
/// generator, and builds the `Learner` it describes.
public protocol SearchSpace: Sendable {
  /// One point of the space.
  associatedtype Architecture: Codable, Hashable, Sendable

  /// Draws an architecture uniformly from the space.
  func sample(using generator: inout some RandomNumberGenerator) -> Architecture

  /// A neighbour of `architecture` differing in one choice — never
  /// `architecture` itself while the space holds another architecture one
  /// choice away, so a search spends no evaluation on an unchanged child.
  func mutate(_ architecture: Architecture, using generator: inout some RandomNumberGenerator) -> Architecture

  /// The learner the architecture describes.
  func learner(for architecture: Architecture) -> any Learner

  /// A stable, human-readable encoding (the key of result tables).
  func encoding(of architecture: Architecture) -> String
}
