import Foundation
import GTNCore
import GTNSearch

#if canImport(Glibc)
import Glibc
#endif

/// An `ArchitectureSearch` whose candidates are scored on all ranks of a
/// ``Communicator``, with dynamic work distribution.
///
/// Rank 0 owns the scheduler that hands out architectures, the log and the records; a
/// coordinator thread on rank 0 answers the other ranks' requests while
/// rank 0 scores candidates itself. Every other rank asks for a candidate,
/// scores it, and sends the score back with its next request, so a slow
/// candidate only holds up the rank scoring it. Records are written to the
/// JSONL log in index order, so an interrupted search resumes from the log
/// like the serial one (on any number of ranks), and for an evaluation
/// budget the records equal the serial search's (scores, architectures,
/// order), except for the measured seconds.
///
/// With a strategy whose proposals read earlier scores
/// (`SearchStrategy.proposalReadsScores(at:)`, e.g. regularised evolution
/// after its initial population) such candidates are necessarily scored
/// one after another; random search scales with the number of ranks.
///
/// ```swift
/// let search = ArchitectureSearch(space: space, strategy: RandomSearch(), evaluator: proxy, seed: 7)
/// let records = try DistributedSearch(search: search, communicator: MPICommunicator.launchedOrSingleProcess())
///   .run(budget: .evaluations(200), log: logURL)
/// ```
public struct DistributedSearch<Strategy: SearchStrategy>: Sendable {
  public typealias Record = SearchRecord<Strategy.Space.Architecture>
  /// The search, built identically on every rank.
  public var search: ArchitectureSearch<Strategy>
  /// The ranks taking part.
  public let communicator: any Communicator

  public init(search: ArchitectureSearch<Strategy>, communicator: any Communicator) {
    self.search = search
    self.communicator = communicator
  }

  private struct Request: Codable {
    var index: Int?
    var scoreBits: UInt64
    var secondsBits: UInt64
  }

  private struct Assignment: Codable {
    var work: SearchScheduler<Strategy>.Work?
  }

  private struct Outcome: Codable {
    var records: [Record]?
    var error: String?
  }

  private static var requestTag: Int { 71 }
  private static var assignmentTag: Int { 72 }

  /// Runs the search on all ranks (collective) and returns every record,
  /// in index order, on every rank.
  ///
  /// - Parameters:
  ///   - budget: When to stop starting new candidates.
  ///   - log: A JSONL file on rank 0's file system, as for
  ///     `ArchitectureSearch.run(budget:log:progress:)`; existing records
  ///     are resumed from.
  ///   - progress: Called on rank 0 for each new record, in index order.
  /// - Throws: `SearchLogError` on rank 0 when the log cannot be used;
  ///   ``DistributedError/rootFailed(operation:reason:)`` on the others.
  public func run(budget: SearchBudget, log: URL? = nil, progress: (Record) -> Void = { _ in }) throws -> [Record] {
    guard communicator.size > 1 else { return try search.run(budget: budget, log: log, progress: progress) }
    if communicator.rank == 0 {
      var outcome = Outcome()
      var failure: Error? = nil
      do { outcome.records = try coordinate(budget: budget, log: log, progress: progress) } catch {
        failure = error
        outcome.error = "\(error)"
      }
      _ = communicator.broadcast(bytes: Array(try JSONEncoder().encode(outcome)))
      if let failure { throw failure }
      return outcome.records ?? []
    } else {
      work()
      let outcome = try JSONDecoder().decode(Outcome.self, from: Data(communicator.broadcast(bytes: [])))
      if let error = outcome.error { throw DistributedError.rootFailed(operation: "run the search", reason: error) }
      return outcome.records ?? []
    }
  }

  /// Rank 0: opens the log, serves the other ranks from a coordinator
  /// thread, scores candidates itself, and writes records in order.
  private func coordinate(budget: SearchBudget, log: URL?, progress: (Record) -> Void) throws -> [Record] {
    var opened: (records: [Record], handle: FileHandle?) = ([], nil)
    var openError: Error? = nil
    do {
      if let log { opened = (try ArchitectureSearch<Strategy>.readLog(log), try ArchitectureSearch<Strategy>.openForAppending(log)) }
    } catch { openError = error }
    defer { try? opened.handle?.close() }
    let scheduler = SearchScheduler(search: search, budget: budget, completed: opened.records)
    if openError != nil { scheduler.stop() }

    let communicator = self.communicator
    let done = DispatchSemaphore(value: 0)
    let coordinator = Thread {
      Self.serve(scheduler: scheduler, communicator: communicator)
      done.signal()
    }
    coordinator.start()

    var writeError: Error? = nil
    func release() {
      for record in scheduler.takeReleasedRecords() {
        if writeError == nil, let handle = opened.handle, let log {
          do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var line = try encoder.encode(record)
            line.append(0x0A)
            try handle.write(contentsOf: line)
          } catch {
            writeError = SearchLogError(file: log.path, reason: "cannot be appended to (\(error.localizedDescription))")
            scheduler.stop()
          }
        }
        progress(record)
      }
    }
    let clock = ContinuousClock()
    loop: while true {
      switch scheduler.claim() {
      case .work(let work):
        var score = 0.0
        let elapsed = clock.measure { score = search.evaluator.score(search.space.learner(for: work.architecture), seed: work.evaluationSeed) }
        scheduler.complete(work.index, score: score, seconds: elapsed.inSeconds)
      case .wait:
        usleep(1000)
      case .finished:
        break loop
      }
      release()
    }
    while done.wait(timeout: .now() + .milliseconds(5)) == .timedOut { release() }
    release()
    if let error = openError ?? writeError { throw error }
    return scheduler.records
  }

  /// The coordinator thread: answers requests until every other rank has
  /// been told there is no more work. Polls (sleeping 1 ms when idle) so it
  /// does not busy-wait on a core the ranks need.
  private static func serve(scheduler: SearchScheduler<Strategy>, communicator: any Communicator) {
    var waiting: [Int] = []
    var finishedWorkers = 0
    let encoder = JSONEncoder()
    while finishedWorkers < communicator.size - 1 {
      var progressed = false
      while let message = communicator.pendingMessage() {
        let (bytes, source) = communicator.receive(from: message.source, tag: message.tag)
        precondition(message.tag == requestTag, "DistributedSearch: unexpected message tag \(message.tag) from rank \(source)")
        let request = try! JSONDecoder().decode(Request.self, from: Data(bytes))
        if let index = request.index {
          scheduler.complete(index, score: Double(bitPattern: request.scoreBits), seconds: Double(bitPattern: request.secondsBits))
        }
        waiting.append(source)
        progressed = true
      }
      var stillWaiting: [Int] = []
      for rank in waiting {
        switch scheduler.claim() {
        case .work(let work):
          communicator.send(Array(try! encoder.encode(Assignment(work: work))), to: rank, tag: assignmentTag)
          progressed = true
        case .finished:
          communicator.send(Array(try! encoder.encode(Assignment(work: nil))), to: rank, tag: assignmentTag)
          finishedWorkers += 1
        case .wait:
          stillWaiting.append(rank)
        }
      }
      waiting = stillWaiting
      if !progressed { usleep(1000) }
    }
  }

  /// Ranks other than 0: ask, score, report with the next request.
  private func work() {
    let encoder = JSONEncoder()
    let clock = ContinuousClock()
    var request = Request(index: nil, scoreBits: 0, secondsBits: 0)
    while true {
      communicator.send(Array(try! encoder.encode(request)), to: 0, tag: Self.requestTag)
      let (bytes, _) = communicator.receive(from: 0, tag: Self.assignmentTag)
      guard let work = try! JSONDecoder().decode(Assignment.self, from: Data(bytes)).work else { return }
      var score = 0.0
      let elapsed = clock.measure { score = search.evaluator.score(search.space.learner(for: work.architecture), seed: work.evaluationSeed) }
      request = Request(index: work.index, scoreBits: score.bitPattern, secondsBits: elapsed.inSeconds.bitPattern)
    }
  }
}
