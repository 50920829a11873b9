import GTNCore
import GTNSearch
import Synchronization

/// The work queue of a distributed architecture search: hands out
/// candidates one at a time to whichever rank asks first (so a slow
/// candidate holds up only its own rank), collects the scores, and releases
/// the records in index order.
///
/// Candidate `i` is `ArchitectureSearch.proposal(at:history:)` with the
/// completed in-order records as history. It is handed out as soon as its
/// proposal cannot depend on pending scores — immediately when the strategy
/// says it does not read scores (`SearchStrategy.proposalReadsScores(at:)`),
/// otherwise once every earlier candidate is scored — so the records equal
/// the serial search's for the same seed and an evaluation budget. A
/// candidate that repeats an earlier candidate's architecture is not handed
/// out: it is released with that candidate's score once that is in.
///
/// Thread-safe; has no MPI in it (``DistributedSearch`` drives it).
package final class SearchScheduler<Strategy: SearchStrategy>: Sendable {
  package typealias Record = SearchRecord<Strategy.Space.Architecture>

  /// A candidate to score.
  package struct Work: Codable, Sendable, Hashable {
    /// The candidate's index in the search.
    package var index: Int
    /// The proposed architecture.
    package var architecture: Strategy.Space.Architecture
    /// The seed for `ArchitectureEvaluator.score(_:seed:)`.
    package var evaluationSeed: UInt64
  }

  /// What a rank asking for work gets.
  package enum Claim: Sendable, Hashable {
    /// Score this candidate, then ``complete(_:score:seconds:)`` it.
    case work(Work)
    /// Nothing can be proposed until a pending candidate finishes; ask again.
    case wait
    /// The budget is spent (or the search was stopped): no more work.
    case finished
  }

  private struct State {
    var completed: [Record]
    var outOfOrder: [Int: Record] = [:]
    var inFlight: [Int: Work] = [:]
    /// Repeats not yet released: candidate index → the index it repeats.
    var repeats: [Int: Int] = [:]
    var nextIndex: Int
    var released: Int
    var tally: SearchTally<Strategy.Space.Architecture>
    var stopped = false

    /// Moves every candidate whose predecessors are all in from the
    /// out-of-order and repeat sets to `completed`.
    mutating func releaseInOrder() {
      while true {
        let index = completed.count
        if let next = outOfOrder.removeValue(forKey: index) {
          completed.append(next)
        } else if let first = repeats.removeValue(forKey: index) {
          completed.append(completed[first].repeated(at: index))
        } else {
          return
        }
      }
    }
  }

  private let search: ArchitectureSearch<Strategy>
  private let budget: SearchBudget
  private let state: Mutex<State>

  /// A queue continuing after `completed` (the records of a resumed log,
  /// which are not released again).
  package init(search: ArchitectureSearch<Strategy>, budget: SearchBudget, completed: [Record] = []) {
    precondition(completed.enumerated().allSatisfy { $0.offset == $0.element.index }, "SearchScheduler: the completed records must be indexed 0, 1, 2, …")
    self.search = search
    self.budget = budget
    state = Mutex(State(
      completed: completed, nextIndex: completed.count, released: completed.count, tally: SearchTally(completed)))
  }

  /// The next candidate for a rank that asks.
  package func claim() -> Claim {
    state.withLock { s in
      while true {
        if s.stopped || s.tally.isFinished(budget) { return .finished }
        let index = s.nextIndex
        if index > s.completed.count, search.strategy.proposalReadsScores(at: index) { return .wait }
        let (architecture, evaluationSeed) = search.proposal(at: index, history: s.completed)
        s.nextIndex += 1
        if let first = s.tally.firstIndex[architecture] {
          s.tally.noteRepeat()
          s.repeats[index] = first
          s.releaseInOrder()
          continue
        }
        s.tally.noteEvaluation(of: architecture, at: index)
        let work = Work(index: index, architecture: architecture, evaluationSeed: evaluationSeed)
        s.inFlight[index] = work
        return .work(work)
      }
    }
  }

  /// Records the score of a candidate handed out by ``claim()``.
  package func complete(_ index: Int, score: Double, seconds: Double) {
    state.withLock { s in
      guard let work = s.inFlight.removeValue(forKey: index) else {
        preconditionFailure("SearchScheduler.complete: candidate \(index) was not handed out")
      }
      s.outOfOrder[index] = Record(
        index: index, encoding: search.space.encoding(of: work.architecture), architecture: work.architecture,
        score: score, seconds: seconds)
      s.tally.addSeconds(seconds)
      s.releaseInOrder()
    }
  }

  /// Stops handing out work (pending candidates can still complete).
  package func stop() { state.withLock { $0.stopped = true } }

  /// The in-order records completed since the last call (not those the
  /// queue started with).
  package func takeReleasedRecords() -> [Record] {
    state.withLock { s in
      defer { s.released = s.completed.count }
      return Array(s.completed[s.released...])
    }
  }

  /// All in-order completed records, including those it started with.
  package var records: [Record] { state.withLock { $0.completed } }

  /// The number of candidates handed out and not completed.
  package var pendingCount: Int { state.withLock { $0.inFlight.count } }
}
