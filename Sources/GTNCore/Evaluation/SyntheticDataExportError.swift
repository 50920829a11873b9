/// A request ``SyntheticDataExport`` cannot fulfil: more samples than a
/// generator without fresh samples holds, or a file format that cannot hold
/// the samples.
///
/// ```swift
/// do {
///   _ = try SyntheticDataExport(trainer: trainer, count: 1_000_000)
/// } catch let error as SyntheticDataExportError {
///   print(error)   // count: the curriculum holds 32 steps of 128 samples, and …
/// }
/// ```
public struct SyntheticDataExportError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The argument at fault: `count` or `format`.
  public var argument: String
  /// What is wrong and what would work, in plain words.
  public var message: String

  public init(argument: String, message: String) {
    self.argument = argument
    self.message = message
  }

  public var description: String { "\(argument): \(message)" }
}
