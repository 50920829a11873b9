import Foundation

/// A search budget.
public enum SearchBudget: Sendable, Hashable {
  /// Stop after this many evaluated candidates (repeats of architectures
  /// already scored are recorded but not counted).
  case evaluations(Int)
  /// Stop starting new evaluations once this much evaluation time (the sum
  /// of the records' seconds, so resumed runs count what was already spent)
  /// has been used.
  case seconds(Double)

  /// Whether a search that has completed `evaluations` candidates in
  /// `seconds` of evaluation time must stop starting new ones.
  public func isExhausted(evaluations: Int, seconds: Double) -> Bool {
    switch self {
    case .evaluations(let n): return evaluations >= n
    case .seconds(let s): return seconds >= s
    }
  }
}

/// Runs a search strategy with a proxy evaluator under a budget, recording
/// every candidate as one JSON line so that an interrupted search resumes
/// where it stopped.
///
/// ```swift
/// let search = ArchitectureSearch(space: MacroSearchSpace(), strategy: RegularizedEvolution(),
///                                 evaluator: proxy, seed: 7)
/// let records = try search.run(budget: .evaluations(100), log: URL(fileURLWithPath: "search.jsonl"))
/// let best = records.max { $0.score < $1.score }!
/// ```
///
/// Candidate `i` draws its randomness from a generator seeded by `seed` and
/// `i` alone, so a search resumed from its log proposes exactly the
/// candidates an uninterrupted one would have.
///
/// An architecture is scored once: a candidate that repeats an earlier
/// candidate's architecture is recorded with that candidate's score
/// (``SearchRecord/repeatOf``) without evaluating it again, and costs no
/// budget. A search whose strategy proposes only repeats for
/// ``maximumConsecutiveRepeats`` candidates in a row has exhausted what it
/// can reach and stops.
public struct ArchitectureSearch<Strategy: SearchStrategy>: Sendable {
  public typealias Space = Strategy.Space
  public typealias Record = SearchRecord<Space.Architecture>

  public var space: Space
  public var strategy: Strategy
  public var evaluator: any ArchitectureEvaluator
  public var seed: UInt64

  /// How many candidates in a row may repeat architectures already scored
  /// before a search stops.
  public static var maximumConsecutiveRepeats: Int { SearchTally<Space.Architecture>.maximumConsecutiveRepeats }

  public init(space: Space, strategy: Strategy, evaluator: any ArchitectureEvaluator, seed: UInt64) {
    self.space = space
    self.strategy = strategy
    self.evaluator = evaluator
    self.seed = seed
  }

  /// Candidate `index`'s architecture and the seed its evaluation uses:
  /// the strategy's proposal from a generator seeded by the search's seed
  /// and `index`, then one more draw for the evaluation.
  ///
  /// ``run(budget:log:progress:)`` evaluates `proposal(at: i, history: records)`
  /// as candidate `i`; parallel searches use it to propose the same
  /// candidates (see ``SearchStrategy/proposalReadsScores(at:)``).
  public func proposal(at index: Int, history: [Record]) -> (architecture: Space.Architecture, evaluationSeed: UInt64) {
    var rng = SplitMix64(seed: SplitMix64.seed(seed, stream: UInt64(index)))
    let architecture = strategy.propose(in: space, history: history, using: &rng)
    return (architecture, rng.next())
  }

  /// Evaluates candidates until `budget` is spent.
  ///
  /// - Parameters:
  ///   - budget: When to stop.
  ///   - log: A JSON Lines file; existing records in it are taken as the
  ///     search so far, and each new record is appended (and flushed) as
  ///     soon as it is evaluated. `nil` keeps records in memory only.
  ///   - progress: Called after each new record.
  /// - Returns: All records, including resumed ones.
  /// - Throws: ``SearchLogError`` when the log cannot be read or written.
  public func run(budget: SearchBudget, log: URL? = nil, progress: (Record) -> Void = { _ in }) throws -> [Record] {
    var records = try log.map(Self.readLog) ?? []
    let handle = try log.map(Self.openForAppending)
    defer { try? handle?.close() }
    let clock = ContinuousClock()
    var tally = SearchTally(records)
    while !tally.isFinished(budget) {
      let index = records.count
      let (architecture, evaluationSeed) = proposal(at: index, history: records)
      let record: Record
      if let first = tally.firstIndex[architecture] {
        record = records[first].repeated(at: index)
      } else {
        var score = 0.0
        let elapsed = clock.measure { score = evaluator.score(space.learner(for: architecture), seed: evaluationSeed) }
        record = Record(
          index: index, encoding: space.encoding(of: architecture), architecture: architecture, score: score,
          seconds: elapsed.inSeconds)
      }
      tally.add(record)
      records.append(record)
      if let handle, let log {
        var line = try JSONEncoder.sorted.encode(record)
        line.append(0x0A)
        do { try handle.write(contentsOf: line) } catch {
          throw SearchLogError(file: log.path, reason: "cannot be appended to (\(error.localizedDescription))")
        }
      }
      progress(record)
    }
    return records
  }

  /// Reads the records of a search log; a missing file is an empty search.
  public static func readLog(_ url: URL) throws -> [Record] {
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw SearchLogError(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
    }
    var records: [Record] = []
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for (number, line) in lines.enumerated() where !line.isEmpty {
      guard let record = try? JSONDecoder().decode(Record.self, from: Data(line.utf8)) else {
        // A torn last line (the process was killed mid-write) is dropped.
        if number == lines.count - 1 || (number == lines.count - 2 && lines.last == "") { break }
        throw SearchLogError(file: url.path, reason: "line \(number + 1) is not a search record")
      }
      guard record.index == records.count else {
        throw SearchLogError(file: url.path, reason: "line \(number + 1) has index \(record.index); expected \(records.count)")
      }
      records.append(record)
    }
    return records
  }

  /// Opens a search log for appending records, creating it if needed and
  /// dropping a torn last line first (so the log stays valid JSONL).
  ///
  /// - Throws: ``SearchLogError`` when the file cannot be read, created or
  ///   opened.
  package static func openForAppending(_ url: URL) throws -> FileHandle {
    if !FileManager.default.fileExists(atPath: url.path) {
      guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
        throw SearchLogError(file: url.path, reason: "cannot be created")
      }
    }
    // Drop a torn last line before appending.
    let records = try readLog(url)
    var clean = Data()
    for record in records {
      clean.append(try JSONEncoder.sorted.encode(record))
      clean.append(0x0A)
    }
    do {
      try clean.write(to: url, options: .atomic)
      let handle = try FileHandle(forWritingTo: url)
      try handle.seekToEnd()
      return handle
    } catch {
      throw SearchLogError(file: url.path, reason: "cannot be opened for writing (\(error.localizedDescription))")
    }
  }
}

/// A search log that cannot be used.
public struct SearchLogError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var reason: String
  public var description: String { "\(file): \(reason)" }

  public init(file: String, reason: String) {
    self.file = file
    self.reason = reason
  }
}

extension JSONEncoder {
  fileprivate static var sorted: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return encoder
  }
}
