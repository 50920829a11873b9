/// What a search has spent and seen so far: the first candidate of each
/// architecture, the evaluations and seconds used, and the repeats proposed
/// since the last evaluation. ``ArchitectureSearch`` and the distributed
/// search's scheduler both keep one, so they stop at the same candidate.
package struct SearchTally<Architecture: Codable & Hashable & Sendable>: Sendable {
  /// The index of the first evaluated candidate of each architecture.
  package private(set) var firstIndex: [Architecture: Int] = [:]
  /// Evaluated candidates (repeats excluded).
  package private(set) var evaluations = 0
  /// Seconds of evaluation, including those of candidates still running
  /// once they are added.
  package private(set) var seconds = 0.0
  /// Repeats proposed since the last evaluated candidate.
  package private(set) var consecutiveRepeats = 0

  /// How many candidates in a row may repeat architectures already scored
  /// before a search stops.
  package static var maximumConsecutiveRepeats: Int { 1_000 }

  /// The tally of `records` (e.g. a resumed log). Records that evaluated an
  /// architecture again (logs of searches that did not skip repeats) count
  /// as evaluations; the first stays the architecture's reference.
  package init(_ records: [SearchRecord<Architecture>] = []) {
    for record in records { add(record) }
  }

  /// Counts a finished candidate.
  package mutating func add(_ record: SearchRecord<Architecture>) {
    if record.repeatOf == nil { noteEvaluation(of: record.architecture, at: record.index) } else { noteRepeat() }
    addSeconds(record.seconds)
  }

  /// Counts candidate `index`, an architecture to evaluate.
  package mutating func noteEvaluation(of architecture: Architecture, at index: Int) {
    evaluations += 1
    consecutiveRepeats = 0
    if firstIndex[architecture] == nil { firstIndex[architecture] = index }
  }

  /// Counts a candidate that repeats an architecture already scored.
  package mutating func noteRepeat() { consecutiveRepeats += 1 }

  /// Adds a finished evaluation's seconds.
  package mutating func addSeconds(_ s: Double) { seconds += s }

  /// Whether the search must stop proposing: the budget is spent, or the
  /// strategy has proposed only repeats for too long.
  package func isFinished(_ budget: SearchBudget) -> Bool {
    budget.isExhausted(evaluations: evaluations, seconds: seconds) || consecutiveRepeats >= Self.maximumConsecutiveRepeats
  }
}
