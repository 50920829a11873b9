/// Why meta-training cannot start or had to stop.
public enum MetaTrainingError: Error, Equatable, CustomStringConvertible {
  /// The meta-loss or its gradient became NaN or infinite.
  case nonFiniteMetaLoss(iteration: Int)
  /// The generator, curriculum, optimiser and learners cannot work
  /// together, or one breaks a promise of its protocol; the text names the
  /// component and, for shapes, both shapes.
  case incompatibleComponents(String)
  /// An argument of a call does not fit: names it and what was expected.
  case invalidArgument(name: String, reason: String)

  public var description: String {
    switch self {
    case .nonFiniteMetaLoss(let i):
      return "meta-training stopped at iteration \(i): the meta-loss or its gradient is not finite (lower the outer learning rate or the initial inner learning rate; a smaller MetaTrainingConfiguration.gradientClipNorm, 10 by default, clips the meta-gradient harder)"
    case .incompatibleComponents(let reason):
      return "incompatible components: \(reason)"
    case .invalidArgument(let name, let reason):
      return "\(name): \(reason)"
    }
  }
}
