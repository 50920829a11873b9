/// A checkpoint or weights file that cannot be used.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
  /// The file concerned.
  public var file: String
  /// What is wrong with it.
  public var reason: String

  public init(file: String, reason: String) {
    self.file = file
    self.reason = reason
  }

  public var description: String { "\(file): \(reason)" }
}
