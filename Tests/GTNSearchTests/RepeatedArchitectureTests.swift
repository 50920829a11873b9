import Foundation
import GTNSearch
import Synchronization
import Testing

/// Counts its evaluations; the score depends on the architecture and the seed.
private final class CountingScore: ArchitectureEvaluator {
  let calls = Mutex(0)
  func score(_ learner: any Learner, seed: UInt64) -> Double {
    calls.withLock { $0 += 1 }
    return Double(learner.parameterCount) + Double(seed % 7) * 1e-3
  }
}

/// Four architectures: one block of width 8, kernel 1 or 3, pooling or not.
private let tiny = MacroSearchSpace(depths: 1...1, widths: [8], kernelSizes: [1, 3])

/// Random search in a four-architecture space proposes repeats: each is
/// recorded with its first candidate's score and index, is not evaluated
/// again, and does not count against an evaluation budget.
@Test func repeatedArchitecturesAreNotScoredAgain() throws {
  let evaluator = CountingScore()
  let search = ArchitectureSearch(space: tiny, strategy: RandomSearch<MacroSearchSpace>(), evaluator: evaluator, seed: 2)
  let records = try search.run(budget: .evaluations(3))
  let evaluated = records.filter { $0.repeatOf == nil }
  #expect(evaluated.count == 3)
  #expect(evaluator.calls.withLock { $0 } == 3)
  #expect(Set(evaluated.map(\.encoding)).count == 3)
  #expect(records.count > 3, "seed 2 proposes no repeat before three distinct architectures; pick another")
  for record in records {
    guard let first = record.repeatOf else { continue }
    #expect(first < record.index && records[first].repeatOf == nil)
    #expect(records[first].encoding == record.encoding && records[first].score == record.score && record.seconds == 0)
  }
}

/// A budget larger than the space: the search stops once its strategy has
/// proposed only repeats for the allowed number of candidates in a row.
@Test func aSearchThatCanOnlyRepeatStops() throws {
  let evaluator = CountingScore()
  let search = ArchitectureSearch(space: tiny, strategy: RandomSearch<MacroSearchSpace>(), evaluator: evaluator, seed: 5)
  let records = try search.run(budget: .evaluations(10))
  #expect(evaluator.calls.withLock { $0 } == 4)
  let limit = ArchitectureSearch<RandomSearch<MacroSearchSpace>>.maximumConsecutiveRepeats
  #expect(records.suffix(limit).allSatisfy { $0.repeatOf != nil })
  #expect(records.dropLast(limit).last?.repeatOf == nil)
}

/// Repeats survive the log: a search resumed from it continues as an
/// uninterrupted one, evaluating nothing it has scored.
@Test func repeatsAreLoggedAndResumed() throws {
  let log = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-repeats-\(UInt64.random(in: 0...UInt64.max)).jsonl")
  defer { try? FileManager.default.removeItem(at: log) }
  let straight = try ArchitectureSearch(space: tiny, strategy: RandomSearch<MacroSearchSpace>(), evaluator: CountingScore(), seed: 2)
    .run(budget: .evaluations(4))
  let evaluator = CountingScore()
  let search = ArchitectureSearch(space: tiny, strategy: RandomSearch<MacroSearchSpace>(), evaluator: evaluator, seed: 2)
  _ = try search.run(budget: .evaluations(2), log: log)
  let resumed = try search.run(budget: .evaluations(4), log: log)
  #expect(resumed == straight.map { var r = $0; r.seconds = resumed[r.index].seconds; return r })
  #expect(evaluator.calls.withLock { $0 } == 4)
}
