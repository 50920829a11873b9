import Foundation

/// The meta-loss and real-batch accuracy of every outer iteration of a run,
/// kept in `DIR/training.csv` so that a resumed run's report shows the whole
/// curve.
///
/// The file is replaced atomically before each checkpoint, so it holds at
/// least the checkpoint's iterations; rows past the checkpoint a resumed run
/// starts from are dropped (``truncate(after:)``).
///
/// ```
/// iteration,meta_loss,real_batch_accuracy,seconds
/// 1,2.301,0.117,0.11
/// ```
public struct MetaTrainingHistory: Equatable, Sendable {
  /// One outer iteration.
  public struct Row: Equatable, Sendable {
    /// The outer iteration, from 1.
    public var iteration: Int
    /// The meta-loss (the real-data loss the meta-gradient descends).
    public var metaLoss: Float
    /// The final learner's accuracy on the iteration's real batch.
    public var realBatchAccuracy: Double
    /// Meta-training seconds from the first iteration of the first run to
    /// the end of this one, summed over resumed runs.
    public var seconds: Double

    public init(iteration: Int, metaLoss: Float, realBatchAccuracy: Double, seconds: Double) {
      self.iteration = iteration
      self.metaLoss = metaLoss
      self.realBatchAccuracy = realBatchAccuracy
      self.seconds = seconds
    }
  }

  /// The rows in iteration order.
  public private(set) var rows: [Row] = []

  /// The CSV file's header line.
  public static let header = "iteration,meta_loss,real_batch_accuracy,seconds"

  /// An empty history.
  public init() {}

  /// The history in `text`, a `training.csv` file's contents.
  ///
  /// - Throws: ``ExampleError`` naming `file` and the line when the header
  ///   or a row is not what ``csv`` writes, or the iterations do not increase.
  public init(csv text: String, file: String) throws {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
    guard lines.popFirst().map(String.init) == Self.header else {
      throw ExampleError(message: "\(file): the first line is not \"\(Self.header)\"")
    }
    for (number, line) in zip(2..., lines) {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == 4, let iteration = Int(fields[0]), let loss = Float(fields[1]), let accuracy = Double(fields[2]),
            let seconds = Double(fields[3])
      else {
        throw ExampleError(message: "\(file), line \(number): expected an iteration and three numbers, found \"\(line)\"")
      }
      guard iteration > (rows.last?.iteration ?? 0) else {
        throw ExampleError(message: "\(file), line \(number): iteration \(iteration) does not follow \(rows.last?.iteration ?? 0)")
      }
      rows.append(Row(iteration: iteration, metaLoss: loss, realBatchAccuracy: accuracy, seconds: seconds))
    }
  }

  /// The history as CSV text, one row per iteration.
  public var csv: String {
    rows.reduce(into: Self.header + "\n") { text, row in
      text += "\(row.iteration),\(row.metaLoss),\(row.realBatchAccuracy),\(String(format: "%.3f", row.seconds))\n"
    }
  }

  /// The seconds of the last row: meta-training time before a resumed run.
  public var seconds: Double { rows.last?.seconds ?? 0 }

  /// Appends an iteration after the last one.
  public mutating func append(_ row: Row) {
    precondition(row.iteration > (rows.last?.iteration ?? 0), "iteration \(row.iteration) after \(rows.last?.iteration ?? 0)")
    rows.append(row)
  }

  /// Drops the rows after `iteration` (those of an interrupted run past its
  /// last checkpoint).
  public mutating func truncate(after iteration: Int) {
    rows.removeAll { $0.iteration > iteration }
  }

  /// The meta-loss averaged over a trailing window of `width` iterations,
  /// one value per row.
  public func smoothedMetaLoss(width: Int) -> [Double] {
    precondition(width > 0, "width \(width) must be positive")
    var sum = 0.0
    var values: [Double] = []
    values.reserveCapacity(rows.count)
    for (i, row) in rows.enumerated() {
      sum += Double(row.metaLoss)
      if i >= width { sum -= Double(rows[i - width].metaLoss) }
      values.append(sum / Double(Swift.min(i + 1, width)))
    }
    return values
  }
}
