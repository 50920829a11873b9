import Foundation
import GTNDistributed
import GTNSearch
import Testing

/// Deterministic and instant: the score depends on the architecture and the seed.
private struct SizeScore: ArchitectureEvaluator {
  func score(_ learner: any Learner, seed: UInt64) -> Double { Double(learner.parameterCount % 9973) + Double(seed % 100) * 1e-3 }
}

private func scoreOf<S: SearchStrategy>(_ work: SearchScheduler<S>.Work, in search: ArchitectureSearch<S>) -> Double {
  search.evaluator.score(search.space.learner(for: work.architecture), seed: work.evaluationSeed)
}

struct SearchSchedulerTests {
  let space = MacroSearchSpace()

  @Test func randomSearchHandsOutEverythingAndReleasesInOrder() throws {
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: SizeScore(), seed: 4)
    let serial = try search.run(budget: .evaluations(6))
    let scheduler = SearchScheduler(search: search, budget: .evaluations(6))
    var handedOut: [SearchScheduler<RandomSearch<MacroSearchSpace>>.Work] = []
    while case .work(let w) = scheduler.claim() { handedOut.append(w) }
    #expect(handedOut.map(\.index) == Array(0..<6))
    #expect(scheduler.claim() == .finished)
    #expect(scheduler.pendingCount == 6)
    // Complete out of order: nothing is released until candidate 0 is in.
    for i in [2, 5, 1] { scheduler.complete(i, score: scoreOf(handedOut[i], in: search), seconds: 0.1) }
    #expect(scheduler.takeReleasedRecords().isEmpty)
    scheduler.complete(0, score: scoreOf(handedOut[0], in: search), seconds: 0.1)
    #expect(scheduler.takeReleasedRecords().map(\.index) == [0, 1, 2])
    for i in [4, 3] { scheduler.complete(i, score: scoreOf(handedOut[i], in: search), seconds: 0.1) }
    #expect(scheduler.takeReleasedRecords().map(\.index) == [3, 4, 5])
    #expect(scheduler.records.map(\.encoding) == serial.map(\.encoding))
    #expect(scheduler.records.map(\.score) == serial.map(\.score))
  }

  @Test func evolutionWaitsForScoresOnceThePopulationIsFull() throws {
    let strategy = RegularizedEvolution<MacroSearchSpace>(populationSize: 3, sampleSize: 2)
    let search = ArchitectureSearch(space: space, strategy: strategy, evaluator: SizeScore(), seed: 8)
    let serial = try search.run(budget: .evaluations(7))
    let scheduler = SearchScheduler(search: search, budget: .evaluations(7))
    var work: [Int: SearchScheduler<RegularizedEvolution<MacroSearchSpace>>.Work] = [:]
    for i in 0..<3 {
      guard case .work(let w) = scheduler.claim() else { Issue.record("candidate \(i) not handed out"); return }
      work[w.index] = w
    }
    #expect(scheduler.claim() == .wait)  // candidate 3 mutates the scored population
    scheduler.complete(1, score: scoreOf(work[1]!, in: search), seconds: 0)
    scheduler.complete(2, score: scoreOf(work[2]!, in: search), seconds: 0)
    #expect(scheduler.claim() == .wait)
    scheduler.complete(0, score: scoreOf(work[0]!, in: search), seconds: 0)
    while scheduler.records.count < 7 {
      guard case .work(let w) = scheduler.claim() else { Issue.record("no work at \(scheduler.records.count)"); return }
      #expect(scheduler.claim() == (w.index == 6 ? .finished : .wait))
      scheduler.complete(w.index, score: scoreOf(w, in: search), seconds: 0)
    }
    #expect(scheduler.records.map(\.encoding) == serial.map(\.encoding))
    #expect(scheduler.records.map(\.score) == serial.map(\.score))
  }

  @Test func resumedQueueContinuesTheSerialSearch() throws {
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: SizeScore(), seed: 6)
    let serial = try search.run(budget: .evaluations(5))
    let scheduler = SearchScheduler(search: search, budget: .evaluations(5), completed: Array(serial.prefix(3)))
    while case .work(let w) = scheduler.claim() { scheduler.complete(w.index, score: scoreOf(w, in: search), seconds: 0) }
    #expect(scheduler.takeReleasedRecords().map(\.index) == [3, 4])
    #expect(scheduler.records.map(\.encoding) == serial.map(\.encoding))
  }

  @Test func secondsBudgetStopsHandingOut() {
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: SizeScore(), seed: 1)
    let scheduler = SearchScheduler(search: search, budget: .seconds(1))
    guard case .work(let a) = scheduler.claim(), case .work(let b) = scheduler.claim() else { Issue.record("no work"); return }
    scheduler.complete(a.index, score: 0, seconds: 1.5)
    #expect(scheduler.claim() == .finished)
    scheduler.complete(b.index, score: 0, seconds: 0.2)
    #expect(scheduler.records.count == 2)
  }

  /// Repeats are never handed out: each is released, in order, with its
  /// first candidate's score, as the serial search records it.
  @Test func repeatsAreReleasedWithoutBeingHandedOut() throws {
    let tiny = MacroSearchSpace(depths: 1...1, widths: [8], kernelSizes: [1, 3])
    let search = ArchitectureSearch(space: tiny, strategy: RandomSearch<MacroSearchSpace>(), evaluator: SizeScore(), seed: 2)
    let serial = try search.run(budget: .evaluations(3))
    let scheduler = SearchScheduler(search: search, budget: .evaluations(3))
    var handedOut: [SearchScheduler<RandomSearch<MacroSearchSpace>>.Work] = []
    while case .work(let w) = scheduler.claim() { handedOut.append(w) }
    #expect(handedOut.count == 3)
    #expect(Set(handedOut.map(\.architecture)).count == 3)
    for w in handedOut.reversed() { scheduler.complete(w.index, score: scoreOf(w, in: search), seconds: 0.1) }
    #expect(scheduler.records.map(\.encoding) == serial.map(\.encoding))
    #expect(scheduler.records.map(\.score) == serial.map(\.score))
    #expect(scheduler.records.map(\.repeatOf) == serial.map(\.repeatOf))
    #expect(serial.contains { $0.repeatOf != nil })
  }

  @Test func singleProcessDistributedSearchIsTheSerialSearch() throws {
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: SizeScore(), seed: 3)
    let serial = try search.run(budget: .evaluations(4))
    let distributed = try DistributedSearch(search: search, communicator: SingleProcessCommunicator()).run(budget: .evaluations(4))
    #expect(distributed.map(\.encoding) == serial.map(\.encoding))
    #expect(distributed.map(\.score) == serial.map(\.score))
  }
}
