import Foundation
import Testing
import _GTNExamplesSupport

struct RunSummaryTests {
  func summary() -> RunSummary {
    RunSummary(
      dataset: "MNIST", innerSteps: 32, batchSize: 128, outerIterations: 300, completedOuterIterations: 280,
      learner: .named(.convBatchNorm), generator: .mlp, curriculum: .learned, metaTrainingSeconds: 42.1, metaTrainingMinutes: 0.7,
      timeBudgetMinutes: 0.75, resumedFromIteration: 0, evaluationSplit: .validation, gtnTestAccuracy: 0.9,
      gtnTestAccuracyStandardDeviation: 0.01, realTestAccuracy: 0.8, realTestAccuracyStandardDeviation: 0.02, realLearningRate: 0.1,
      evaluationSeeds: 5, blasCore: "Haswell", threads: 1, output: "/tmp/out")
  }

  func keys(_ summary: RunSummary) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: summary.jsonData()) as? [String: Any])
  }

  /// The keys are those earlier versions wrote, plus the new ones, in
  /// sorted order.
  @Test func encodesTheExpectedKeys() throws {
    let object = try keys(summary())
    let base: Set = [
      "dataset", "inner_steps", "batch_size", "outer_iterations", "learner", "generator", "curriculum", "meta_training_seconds",
      "resumed_from_iteration", "gtn_test_accuracy", "gtn_test_accuracy_std", "real_test_accuracy", "real_test_accuracy_std",
      "real_learning_rate", "evaluation_seeds", "blas_core", "threads", "output",
      "time_budget_minutes", "meta_training_minutes", "evaluation_split", "completed_outer_iterations",
    ]
    #expect(Set(object.keys) == base)
    #expect(object["learner"] as? String == "conv-bn" && object["evaluation_split"] as? String == "validation")
    #expect(object["inner_steps"] as? Int == 32 && object["time_budget_minutes"] as? Double == 0.75)

    var detailed = summary()
    detailed.ranks = 2
    detailed.ensembleTestAccuracy = 0.9
    detailed.ensembleLearnerTestAccuracy = 0.85
    detailed.ensembleLearnerTestAccuracyStandardDeviation = 0.01
    detailed.accuracyBySteps = [
      "16": .init(gtn: 0.8, gtnStandardDeviation: 0.1, real: 0.7, realStandardDeviation: 0.2, realLearningRate: 0.05, realStepsMatchingGTN: 24),
      "32": .init(gtn: 0.8, gtnStandardDeviation: 0.1, real: 0.85, realStandardDeviation: 0.2, realLearningRate: 0.05),
    ]
    detailed.speedupReferenceSteps = 32
    detailed.gtnStepsToReachReal = 16
    detailed.speedup = 2
    detailed.skippedOuterIterations = 1
    detailed.evaluationSeconds = 3
    detailed.residentMegabytesBeforeMetaTraining = 100
    detailed.peakResidentMegabytesMetaTraining = 200
    detailed.checkpointSegment = 8
    detailed.intermediateLosses = 1
    detailed.augment = false
    let all = try keys(detailed)
    #expect(Set(all.keys) == base.union([
      "ranks", "ensemble_test_accuracy", "ensemble_learner_test_accuracy", "ensemble_learner_test_accuracy_std",
      "accuracy_by_steps", "speedup_reference_steps", "gtn_steps_to_reach_real", "speedup", "evaluation_seconds",
      "skipped_outer_iterations",
      "resident_mb_before_meta_training", "peak_resident_mb_meta_training", "checkpoint_segment", "intermediate_losses", "augment",
    ]))
    let byStep = try #require((all["accuracy_by_steps"] as? [String: Any])?["16"] as? [String: Any])
    #expect(Set(byStep.keys) == ["gtn", "gtn_std", "real", "real_std", "real_learning_rate", "real_steps_matching_gtn"])
    let unmatched = try #require((all["accuracy_by_steps"] as? [String: Any])?["32"] as? [String: Any])
    #expect(Set(unmatched.keys) == ["gtn", "gtn_std", "real", "real_std", "real_learning_rate"])

    let text = String(decoding: try detailed.jsonData(), as: UTF8.self)
    #expect(!text.contains("\n"))
    #expect(text.hasPrefix(#"{"accuracy_by_steps":"#))
    #expect(try JSONDecoder().decode(RunSummary.self, from: detailed.jsonData()) == detailed)
  }
}

/// The real-data steps worth of GTN data: log-linear interpolation between
/// evaluated step counts, `nil` outside them.
@Test func realStepsMatchingInterpolatesInLogSteps() throws {
  let real: [(steps: Int, accuracy: Double)] = [(16, 0.30), (32, 0.37), (64, 0.40), (128, 0.46), (256, 0.51), (512, 0.57)]
  // Half-way from 0.46 to 0.51 is half-way from 2⁷ to 2⁸ in log₂ steps.
  let between = try #require(RunSummary.realStepsMatching(0.485, real: real))
  #expect(abs(between - 128 * 2.0.squareRoot()) < 1e-9)
  #expect(RunSummary.realStepsMatching(0.57, real: real) == 512)
  #expect(RunSummary.realStepsMatching(0.40, real: real) == 64)
  // Real data ahead at its smallest count, or never as good: no figure.
  #expect(RunSummary.realStepsMatching(0.30, real: real) == nil)
  #expect(RunSummary.realStepsMatching(0.58, real: real) == nil)
  // The first crossing counts where the real curve dips.
  let dipping: [(steps: Int, accuracy: Double)] = [(4, 0.2), (8, 0.5), (16, 0.4), (32, 0.6)]
  #expect(RunSummary.realStepsMatching(0.5, real: dipping) == 8)
  #expect(RunSummary.realStepsMatching(0.45, real: []) == nil)
  let line = ExampleRunner.stepEquivalenceLine([
    (16, .init(gtn: 0.4, gtnStandardDeviation: 0, real: 0.3, realStandardDeviation: 0, realLearningRate: 0.1, realStepsMatchingGTN: 81.6)),
    (32, .init(gtn: 0.3, gtnStandardDeviation: 0, real: 0.37, realStandardDeviation: 0, realLearningRate: 0.1)),
  ])
  #expect(line == "real-data steps with GTN data's accuracy after k steps: k = 16: 82 (5.1×), k = 32: –")
}

struct MetaTrainingTimeBudgetTests {
  /// The plan is the iterations that fit at the mean pace so far, within the
  /// limit, at least one more; none once the time is used.
  @Test func plansTheIterationsThatFit() {
    let budget = MetaTrainingTimeBudget(seconds: 100, iterationLimit: 1000)
    #expect(budget.plannedIterations(done: 10, first: 0, elapsed: 10) == 100)
    #expect(budget.plannedIterations(done: 30, first: 20, elapsed: 10) == 120)
    #expect(budget.plannedIterations(done: 99, first: 0, elapsed: 99.5) == 100)
    #expect(budget.plannedIterations(done: 99, first: 0, elapsed: 99.99) == 100)
    #expect(budget.plannedIterations(done: 100, first: 0, elapsed: 100) == nil)
    #expect(budget.plannedIterations(done: 10, first: 0, elapsed: 0.1) == 1000)
    #expect(budget.plannedIterations(done: 1000, first: 0, elapsed: 1) == nil)
    // A resumed run: the runs before it used 20 s of the 100, this one 10 s for 10 iterations.
    #expect(budget.plannedIterations(done: 30, first: 20, elapsed: 10, usedBefore: 20) == 100)
    #expect(budget.plannedIterations(done: 20, first: 20, elapsed: 0, usedBefore: 20) == 1000)
    #expect(budget.plannedIterations(done: 20, first: 20, elapsed: 0, usedBefore: 100) == nil)
    #expect(budget.plannedIterations(done: 25, first: 20, elapsed: 5, usedBefore: 95) == nil)
  }
}
