import Foundation
import GTNCore

/// What an example run reports: written to `DIR/summary.json` and printed as
/// one JSON line, with snake_case keys in sorted order.
///
/// `nil` values are left out of the JSON. The keys of the detailed group
/// (`accuracy_by_steps` through `augment`) are present when the run
/// evaluated chosen step counts or tuned the real-data learning rate for
/// each.
public struct RunSummary: Codable, Sendable, Equatable {
  /// Accuracy after one step count k.
  public struct StepCountAccuracy: Codable, Sendable, Equatable {
    /// Mean accuracy of fresh learners trained on GTN data.
    public var gtn: Double
    /// Its standard deviation over seeds.
    public var gtnStandardDeviation: Double
    /// Mean accuracy of fresh learners trained on real data.
    public var real: Double
    /// Its standard deviation over seeds.
    public var realStandardDeviation: Double
    /// The real-data learning rate used at k.
    public var realLearningRate: Double
    /// The real-data steps that reach the GTN learners' mean accuracy after
    /// k steps (``RunSummary/realStepsMatching(_:real:)``); `nil` when
    /// real data is ahead at the smallest evaluated step count or never
    /// reaches it.
    public var realStepsMatchingGTN: Double?

    /// Creates the accuracies at one step count.
    public init(
      gtn: Double, gtnStandardDeviation: Double, real: Double, realStandardDeviation: Double, realLearningRate: Double,
      realStepsMatchingGTN: Double? = nil
    ) {
      self.gtn = gtn
      self.gtnStandardDeviation = gtnStandardDeviation
      self.real = real
      self.realStandardDeviation = realStandardDeviation
      self.realLearningRate = realLearningRate
      self.realStepsMatchingGTN = realStepsMatchingGTN
    }

    enum CodingKeys: String, CodingKey {
      case gtn
      case gtnStandardDeviation = "gtn_std"
      case real
      case realStandardDeviation = "real_std"
      case realLearningRate = "real_learning_rate"
      case realStepsMatchingGTN = "real_steps_matching_gtn"
    }
  }

  /// The real-data step count at which real data's mean accuracy first
  /// reaches `accuracy`, interpolated linearly in log₂ k between evaluated
  /// step counts.
  ///
  /// With real data's accuracies a₀ < `accuracy` ≤ a₁ at consecutive
  /// counts k₀ < k₁, the result is k₀ · (k₁ / k₀)^((accuracy − a₀) / (a₁ − a₀)).
  /// GTN data after k steps is worth this many real steps; divided by k it is
  /// the step-equivalence of the GTN at k.
  ///
  /// - Parameters:
  ///   - accuracy: The accuracy to reach (GTN data's after some k).
  ///   - real: Real data's mean accuracy per step count, in increasing step
  ///     counts.
  /// - Returns: `nil` when real data already reaches `accuracy` at its
  ///   smallest step count (the equivalence is then at most that count) or
  ///   never reaches it.
  /// - Complexity: O(n) for n step counts.
  public static func realStepsMatching(_ accuracy: Double, real: [(steps: Int, accuracy: Double)]) -> Double? {
    guard let first = real.first, first.accuracy < accuracy else { return nil }
    for (lower, upper) in zip(real, real.dropFirst()) where upper.accuracy >= accuracy {
      let fraction = lower.accuracy < upper.accuracy ? (accuracy - lower.accuracy) / (upper.accuracy - lower.accuracy) : 1
      let logLower = log2(Double(lower.steps)), logUpper = log2(Double(upper.steps))
      return exp2(logLower + fraction * (logUpper - logLower))
    }
    return nil
  }

  /// The dataset's display name (`MNIST`, `CIFAR-10`).
  public var dataset: String
  public var innerSteps: Int
  public var batchSize: Int
  /// `--outer-iterations` (with a time budget: the upper bound).
  public var outerIterations: Int
  /// The outer iterations the trainer has completed.
  public var completedOuterIterations: Int
  public var learner: LearnerChoice
  public var generator: GeneratorKind
  public var curriculum: CurriculumKind
  /// Wall-clock seconds of this run's meta-training (0.1 s resolution).
  public var metaTrainingSeconds: Double
  /// The same in minutes (0.01 min resolution).
  public var metaTrainingMinutes: Double
  /// `--time-budget`, if given.
  public var timeBudgetMinutes: Double?
  /// The iteration this run started from (0 unless resumed).
  public var resumedFromIteration: Int
  /// Where the accuracies were measured.
  public var evaluationSplit: EvaluationSplit
  /// Mean accuracy after T steps on GTN data (on ``evaluationSplit``).
  public var gtnTestAccuracy: Double?
  public var gtnTestAccuracyStandardDeviation: Double?
  /// Mean accuracy after T steps on real data (on ``evaluationSplit``).
  public var realTestAccuracy: Double?
  public var realTestAccuracyStandardDeviation: Double?
  /// The real-data learning rate at the largest evaluated step count.
  public var realLearningRate: Double
  public var evaluationSeeds: Int
  /// The OpenBLAS kernel in use.
  public var blasCore: String
  /// The CPU the run measured on (GTNAutodiff's `Processor.current`, one
  /// line), so that times and accuracies at a time budget can be compared
  /// across machines.
  public var cpu: String?
  public var threads: Int
  /// The recipe the options started from (`--recipe`, resolved).
  public var recipe: RecipeKind?
  /// Learners per outer iteration and rank (`--parallel-learners`).
  public var parallelLearners: Int?
  /// The output folder.
  public var output: String

  /// How pixel values were scaled (`minus-one-to-one`: 0…255 to [-1, 1]).
  public var normalization: String?
  /// The training split's per-channel pixel mean and standard deviation on
  /// the 0…255 scale.
  public var trainingPixelMean: [Double]?
  public var trainingPixelStandardDeviation: [Double]?

  /// With several ranks: their number and the ensemble's accuracy.
  public var ranks: Int?
  public var ensembleTestAccuracy: Double?
  public var ensembleLearnerTestAccuracy: Double?
  public var ensembleLearnerTestAccuracyStandardDeviation: Double?

  /// Accuracy per evaluated step count, keyed by k.
  public var accuracyBySteps: [String: StepCountAccuracy]?
  /// The largest evaluated step count K.
  public var speedupReferenceSteps: Int?
  /// The smallest evaluated k at which GTN data reaches real data's accuracy
  /// after K steps.
  public var gtnStepsToReachReal: Int?
  /// K divided by that k.
  public var speedup: Double?
  /// Outer iterations this run passed over without an update because their
  /// meta-loss or meta-gradient was not finite.
  public var skippedOuterIterations: Int?
  public var evaluationSeconds: Double?
  public var residentMegabytesBeforeMetaTraining: Double?
  public var peakResidentMegabytesMetaTraining: Double?
  public var checkpointSegment: Int?
  public var intermediateLosses: Int?
  public var augment: Bool?
  /// The precision of the matrix products and convolutions that ran
  /// (`float32` or `bfloat16`), the one `--precision` asked for, and the
  /// instruction set of oneDNN's kernels.
  public var precision: Precision?
  public var precisionRequested: Precision?
  public var onednnInstructionSet: String?

  /// A summary with the main keys; the ensemble and detailed ones are unset.
  public init(
    dataset: String, innerSteps: Int, batchSize: Int, outerIterations: Int, completedOuterIterations: Int,
    learner: LearnerChoice, generator: GeneratorKind, curriculum: CurriculumKind,
    metaTrainingSeconds: Double, metaTrainingMinutes: Double, timeBudgetMinutes: Double?, resumedFromIteration: Int,
    evaluationSplit: EvaluationSplit, gtnTestAccuracy: Double?, gtnTestAccuracyStandardDeviation: Double?,
    realTestAccuracy: Double?, realTestAccuracyStandardDeviation: Double?, realLearningRate: Double,
    evaluationSeeds: Int, blasCore: String, threads: Int, output: String
  ) {
    self.dataset = dataset
    self.innerSteps = innerSteps
    self.batchSize = batchSize
    self.outerIterations = outerIterations
    self.completedOuterIterations = completedOuterIterations
    self.learner = learner
    self.generator = generator
    self.curriculum = curriculum
    self.metaTrainingSeconds = metaTrainingSeconds
    self.metaTrainingMinutes = metaTrainingMinutes
    self.timeBudgetMinutes = timeBudgetMinutes
    self.resumedFromIteration = resumedFromIteration
    self.evaluationSplit = evaluationSplit
    self.gtnTestAccuracy = gtnTestAccuracy
    self.gtnTestAccuracyStandardDeviation = gtnTestAccuracyStandardDeviation
    self.realTestAccuracy = realTestAccuracy
    self.realTestAccuracyStandardDeviation = realTestAccuracyStandardDeviation
    self.realLearningRate = realLearningRate
    self.evaluationSeeds = evaluationSeeds
    self.blasCore = blasCore
    self.threads = threads
    self.output = output
  }

  enum CodingKeys: String, CodingKey {
    case dataset
    case innerSteps = "inner_steps"
    case batchSize = "batch_size"
    case outerIterations = "outer_iterations"
    case completedOuterIterations = "completed_outer_iterations"
    case learner, generator, curriculum
    case metaTrainingSeconds = "meta_training_seconds"
    case metaTrainingMinutes = "meta_training_minutes"
    case timeBudgetMinutes = "time_budget_minutes"
    case resumedFromIteration = "resumed_from_iteration"
    case evaluationSplit = "evaluation_split"
    case gtnTestAccuracy = "gtn_test_accuracy"
    case gtnTestAccuracyStandardDeviation = "gtn_test_accuracy_std"
    case realTestAccuracy = "real_test_accuracy"
    case realTestAccuracyStandardDeviation = "real_test_accuracy_std"
    case realLearningRate = "real_learning_rate"
    case evaluationSeeds = "evaluation_seeds"
    case blasCore = "blas_core"
    case cpu
    case threads, output, ranks, normalization
    case parallelLearners = "parallel_learners"
    case recipe
    case trainingPixelMean = "training_pixel_mean"
    case trainingPixelStandardDeviation = "training_pixel_std"
    case ensembleTestAccuracy = "ensemble_test_accuracy"
    case ensembleLearnerTestAccuracy = "ensemble_learner_test_accuracy"
    case ensembleLearnerTestAccuracyStandardDeviation = "ensemble_learner_test_accuracy_std"
    case accuracyBySteps = "accuracy_by_steps"
    case speedupReferenceSteps = "speedup_reference_steps"
    case gtnStepsToReachReal = "gtn_steps_to_reach_real"
    case speedup
    case skippedOuterIterations = "skipped_outer_iterations"
    case evaluationSeconds = "evaluation_seconds"
    case residentMegabytesBeforeMetaTraining = "resident_mb_before_meta_training"
    case peakResidentMegabytesMetaTraining = "peak_resident_mb_meta_training"
    case checkpointSegment = "checkpoint_segment"
    case intermediateLosses = "intermediate_losses"
    case augment
    case precision
    case precisionRequested = "precision_requested"
    case onednnInstructionSet = "onednn_isa"
  }

  /// The summary as JSON with sorted keys (one line).
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(self)
  }
}
