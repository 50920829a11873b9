import Foundation
import GTNCore
import GTNData
import GTNDistributed

#if canImport(Glibc)
import Glibc
#endif

/// The data an example meta-trains and evaluates on.
public struct ExampleData: Sendable {
  /// Loads `source`: a bundled dataset from `directory` or the standard
  /// places (MNIST and Fashion-MNIST with
  /// ``mnistFamily(_:directory:validationCount:)``, CIFAR-10 with
  /// ``cifar10(directory:validationCount:)``), or a file source with
  /// ``file(_:validationCount:imagesTensor:labelsTensor:)``; `nil` holds
  /// out the dataset's usual validation split (10,000 or 5,000 images; a
  /// sixth of a file source's training images).
  public static func load(
    _ source: DatasetSource, directory: URL?, validationCount: Int? = nil, imagesTensor: String = "images",
    labelsTensor: String = "labels"
  ) throws -> ExampleData {
    switch source {
    case .named(let kind):
      switch kind {
      case .mnist, .fashionMNIST: try mnistFamily(kind, directory: directory, validationCount: validationCount ?? 10_000)
      case .cifar10: try cifar10(directory: directory, validationCount: validationCount ?? 5_000)
      }
    case .npz, .safetensors, .folder:
      try file(source, validationCount: validationCount, imagesTensor: imagesTensor, labelsTensor: labelsTensor)
    }
  }

  /// Loads the data `options` name (`--dataset`, `--data-dir`,
  /// `--validation-count`, `--images-tensor`, `--labels-tensor`).
  public static func load(_ options: ExampleOptions) throws -> ExampleData {
    try load(
      options.dataset, directory: options.dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) },
      validationCount: options.validationCount, imagesTensor: options.imagesTensor, labelsTensor: options.labelsTensor)
  }

  /// Loads MNIST or Fashion-MNIST ([-1, 1] scaling, the last
  /// `validationCount` training images as the validation split) from
  /// `directory` or the standard places (CIFAR-10 as
  /// ``cifar10(directory:validationCount:)``).
  ///
  /// - Throws: `DataError` for missing or malformed files; ``ExampleError``
  ///   naming the file and `--validation-count` when the training file
  ///   holds no more than `validationCount` images.
  public static func mnistFamily(_ dataset: DatasetKind, directory: URL?, validationCount: Int = 10_000) throws -> ExampleData {
    let loader: (Dataset.Split) throws -> Dataset
    let collection: DataLocator.Collection
    switch dataset {
    case .mnist:
      loader = { try Dataset.mnist(split: $0, from: directory, normalization: .minusOneToOne) }
      collection = .mnist
    case .fashionMNIST:
      loader = { try Dataset.fashionMNIST(split: $0, from: directory, normalization: .minusOneToOne) }
      collection = .fashionMNIST
    case .cifar10: return try cifar10(directory: directory)
    }
    let train = try loader(.train)
    let test = try loader(.test)
    let locator = DataLocator(directory: directory)
    let sources = [Dataset.Split.train, .test].map { split in
      let prefix = split == .train ? "train" : "t10k"
      return (try? locator.locate(["\(prefix)-images-idx3-ubyte"], of: collection))?.first?.path ?? "the \(split.rawValue) images"
    }
    let (training, validation) = try split(train, validationCount: validationCount, source: sources[0])
    return ExampleData(
      name: dataset == .mnist ? "MNIST" : "Fashion-MNIST", training: training, validation: validation, test: test,
      trainingSource: sources[0], testSource: sources[1])
  }

  /// Loads CIFAR-10 ([-1, 1] scaling, the generator's range; the last
  /// `validationCount` training images — by default 5,000, the second half
  /// of `data_batch_5` — as the validation split, leaving 45,000) from
  /// `directory` or `GTN_DATA_DIR`.
  public static func cifar10(directory: URL?, validationCount: Int = 5_000) throws -> ExampleData {
    let train = try Dataset.cifar10(split: .train, from: directory, normalization: .minusOneToOne)
    let test = try Dataset.cifar10(split: .test, from: directory, normalization: .minusOneToOne)
    let locator = DataLocator(directory: directory)
    let folder = (try? locator.locate(["test_batch.bin"], of: .cifar10))?.first?.deletingLastPathComponent().path ?? "the CIFAR-10 folder"
    let (training, validation) = try split(
      train, validationCount: validationCount, source: "\(folder)/data_batch_1.bin … data_batch_5.bin")
    return ExampleData(
      name: "CIFAR-10", training: training, validation: validation, test: test,
      trainingSource: "\(folder)/data_batch_*.bin", testSource: "\(folder)/test_batch.bin")
  }

  /// The last `validationCount` images of `train` as the validation split,
  /// the rest as the training split.
  ///
  /// - Throws: ``ExampleError`` naming `source` and `--validation-count`
  ///   unless at least one image is left to train on.
  static func split(
    _ train: Dataset, validationCount: Int, source: String, randomly: Bool = false
  ) throws -> (training: Dataset, validation: Dataset) {
    guard validationCount >= 1 else { throw ExampleError(message: "--validation-count must be at least 1, got \(validationCount)") }
    guard train.count > validationCount else {
      let left = train.count == validationCount ? "leaves no image to train on" : "needs more images than there are"
      throw ExampleError(
        message: "\(source) holds \(train.count) training image(s); holding out \(randomly ? "" : "the last ")\(validationCount) for "
          + "validation (--validation-count \(validationCount)) \(left): give a larger training file or a --validation-count below \(train.count)")
    }
    guard randomly else { return train.splitting(validationCount: validationCount) }
    var rng = SplitMix64(seed: ExampleData.splitSeed)
    return train.splitting(validationCount: validationCount, using: &rng)
  }

  public var name: String
  public var training: Dataset
  public var validation: Dataset
  public var test: Dataset
  /// Where the training (and validation) images come from, for messages.
  public var trainingSource: String
  /// Where the test images come from, for messages.
  public var testSource: String

  public init(
    name: String, training: Dataset, validation: Dataset, test: Dataset, trainingSource: String = "the training images",
    testSource: String = "the test images"
  ) {
    self.name = name
    self.training = training
    self.validation = validation
    self.test = test
    self.trainingSource = trainingSource
    self.testSource = testSource
  }
}

/// A run that cannot go on (bad data, an unusable checkpoint); the examples
/// exit with status 1.
public struct ExampleError: Error, CustomStringConvertible {
  /// What went wrong.
  public var message: String
  public var description: String { message }
}

/// How long meta-training may run: stops the run when the wall time is used
/// and lays the outer learning-rate schedule over the iterations that fit.
public struct MetaTrainingTimeBudget: Sendable, Hashable {
  /// The wall-clock seconds meta-training may use.
  public var seconds: Double
  /// The most outer iterations to run (`--outer-iterations`).
  public var iterationLimit: Int

  /// A budget of `seconds`, stopping at `iterationLimit` iterations at the
  /// latest.
  public init(seconds: Double, iterationLimit: Int) {
    self.seconds = seconds
    self.iterationLimit = iterationLimit
  }

  /// The total outer iterations to plan for after `done` of them, this run
  /// having started at `first` and used `elapsed` seconds, the runs it
  /// resumes `usedBefore` seconds; `nil` to stop.
  ///
  /// The budget covers a run and the runs it resumes together, so that an
  /// interrupted run, resumed with the same budget, ends when it would have
  /// and keeps its learning-rate schedule. From this run's mean seconds per
  /// iteration, the iterations that fit in the remaining time, at most
  /// ``iterationLimit`` and never fewer than one more.
  public func plannedIterations(done: Int, first: Int, elapsed: Double, usedBefore: Double = 0) -> Int? {
    let remaining = seconds - usedBefore - elapsed
    guard done < iterationLimit, remaining > 0 else { return nil }
    guard done > first, elapsed > 0 else { return iterationLimit }
    let perIteration = elapsed / Double(done - first)
    let fitting = Double(done) + (remaining / perIteration).rounded(.down)
    return Swift.max(done + 1, Int(Swift.min(Double(iterationLimit), fitting)))
  }
}

/// The images accuracy is measured on and those the real-data learning rate
/// is tuned on.
struct EvaluationSplits {
  /// The validation images the real-data baseline tunes on when it tunes for
  /// each step count, or when accuracy is measured on the validation split.
  static let tuningCount = 2_000

  var evaluation: Dataset
  var tuning: Dataset
}

/// What meta-training did.
struct MetaTrainingRecord {
  /// The iteration the run started from (0 unless resumed).
  var firstIteration: Int
  /// The iterations completed at the end.
  var completedIterations: Int
  /// Wall-clock seconds of this run's meta-training.
  var seconds: Double
  /// Resident memory before and at its peak during meta-training.
  var residentBytesBefore: Int?
  var peakResidentBytes: Int?
  /// Every iteration's meta-loss, those of the runs resumed from included.
  var history: MetaTrainingHistory
  /// The iterations this run skipped for a non-finite meta-loss or gradient.
  var skippedIterations = 0
}

/// Meta-trains a GTN with the given options, evaluates it against a tuned
/// real-data baseline and writes the run's outputs.
///
/// Under `mpirun` (a ``Communicator`` of several ranks) meta-training is
/// data-parallel (``DistributedMetaTrainer``): every rank samples its own
/// learner and real batch; rank 0 logs, checkpoints, evaluates and writes
/// the outputs, and the summary adds the ensemble accuracy of one learner
/// per rank. With one rank the run is the serial one.
public struct ExampleRunner {
  public var options: ExampleOptions
  public var data: ExampleData
  /// The ranks meta-training together.
  public var communicator: any Communicator

  public init(options: ExampleOptions, data: ExampleData, communicator: any Communicator = SingleProcessCommunicator()) {
    self.options = options
    self.data = data
    self.communicator = communicator
  }

  func log(_ message: String) {
    guard !options.quiet, communicator.rank == 0 else { return }
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }

  var outputFolder: URL { URL(fileURLWithPath: options.output, isDirectory: true) }

  func outputFile(_ name: String) -> URL { outputFolder.appendingPathComponent(name) }

  /// Runs the whole job (collective) and returns the summary line on rank
  /// 0, `nil` on the other ranks.
  ///
  /// Before meta-training, everything the run needs at its end is checked:
  /// the data against the options (``checkData()``), the output folder
  /// (created, locked, writable), a checkpoint to resume (the same run's,
  /// not past `--outer-iterations`), the trainer, and one trial of the
  /// evaluation and the curriculum rendering on a tiny slice, so a run that
  /// would fail at its end fails in its first seconds instead.
  ///
  /// A ``MemoryGuard`` watches the whole run: when memory runs out it stops
  /// the process with advice (``memoryAdvice``) instead of the system's
  /// out-of-memory killer ending it silently.
  public func run() throws -> String? {
    let (precision, reason) = Precision.resolved(options.precision)
    if let reason { log("--precision \(options.precision.argumentDescription): \(reason)") }
    let program = URL(fileURLWithPath: CommandLine.arguments.first ?? "gtn").lastPathComponent
    let rank = communicator.size > 1 ? " (rank \(communicator.rank))" : ""
    let memoryGuard = MemoryGuard(
      limitBytes: options.memoryLimitGigabytes.map { Int(($0 * 1e9).rounded()) }, prefix: "\(program)\(rank): ", advice: memoryAdvice)
    memoryGuard.start()
    defer { memoryGuard.stop() }
    return try Precision.$current.withValue(precision) { try runChecked(memoryGuard: memoryGuard) }
  }

  /// What to change when a run runs out of memory.
  ///
  /// A learner's state (parameters and momentum) is small beside one inner
  /// step's activations with their second-order graph, so short checkpoint
  /// segments save the most: segments of K steps hold about K steps'
  /// activations at a time, and every K cost the same one extra forward
  /// pass per step.
  var memoryAdvice: String {
    let o = options
    let steps = o.innerSteps
    let k = min(4, steps)
    var segments = ""
    if let current = o.checkpointSegment, current <= k {
      segments = "--checkpoint-segment \(current) already holds only \(current) steps' activations at a time; "
    } else if k < steps {
      let current = o.checkpointSegment.map { "lower --checkpoint-segment \($0) to \(k)" } ?? "--checkpoint-segment \(k)"
      segments = "\(current) keeps the learner's state at the start of each segment of \(k) inner steps and recomputes the segment when the "
        + "meta-gradient reaches it (about \(k) steps' activations at a time instead of \(steps), for one more forward pass "
        + "per step), or "
    }
    return "Meta-training keeps every inner step's activations for the exact meta-gradient: \(segments)lower --batch-size "
      + "\(o.batchSize), --inner-steps \(steps), --parallel-learners \(o.parallelLearners) or the learner's size (--learner "
      + "\(o.learner)). Add --resume to continue from the last checkpoint."
  }

  /// ``run()`` at the resolved precision.
  func runChecked(memoryGuard: MemoryGuard) throws -> String? {
    memoryGuard.phase = "the checks before meta-training"
    try checkData()
    let splits = try evaluationSplits()
    let folder = try onRankZero { try OutputFolder(outputFolder) }
    var succeeded = false
    defer { folder?.release(removingCreatedFolders: !succeeded) }
    if let removed = folder?.removeStaleTemporaries(), !removed.isEmpty {
      log("removed \(removed.count) temporary file(s) of an interrupted run from \(outputFolder.path): \(removed.joined(separator: ", "))")
    }
    try onRankZero { try checkResumable(outputFile("checkpoint.safetensors")) }
    var distributed = try loadTrainer()
    try onRankZero { try rehearseEvaluation(distributed.trainer, splits: splits) }
    try prepareOutputFolder()
    memoryGuard.phase = "meta-training"
    let training = try train(&distributed)
    memoryGuard.phase = "the evaluation"
    let ensemble = evaluateEnsemble(distributed, on: splits.evaluation)
    guard communicator.rank == 0 else { return nil }
    log("evaluating on the \(options.evaluationSplit.rawValue) split: \(options.evaluationSeeds) fresh learners on GTN data and on real data "
        + "(learning rate tuned on the validation split)")
    let clock = ContinuousClock()
    var evaluation: [StepCountEvaluation] = []
    let evaluationSeconds = try clock.measure {
      evaluation = try evaluate(distributed.trainer, stepCounts: evaluatedStepCounts(), splits: splits)
    }.inSeconds
    log(Self.stepEquivalenceLine(StepCountEvaluation.accuracies(evaluation)))
    let summary = try report(
      trainer: distributed.trainer, training: training, evaluation: evaluation, evaluationSeconds: evaluationSeconds, ensemble: ensemble)
    succeeded = true
    return summary
  }

  /// One line on how many real-data steps GTN data's steps are worth at
  /// every evaluated k, e.g. `real-data steps with GTN data's accuracy after
  /// k steps: k = 16: 82 (5.1×), k = 32: –, …` (– where real data is ahead at
  /// its smallest k or never reaches it).
  public static func stepEquivalenceLine(_ accuracies: [(steps: Int, accuracy: RunSummary.StepCountAccuracy)]) -> String {
    "real-data steps with GTN data's accuracy after k steps: " + accuracies.map { k, a in
      "k = \(k): " + (a.realStepsMatchingGTN.map { String(format: "%.0f (%.1f×)", $0, $0 / Double(k)) } ?? "–")
    }.joined(separator: ", ")
  }

  /// Runs `body` on rank 0 and shares its failure with every rank
  /// (collective); its result on rank 0, `nil` elsewhere.
  @discardableResult
  func onRankZero<T>(_ body: () throws -> T) throws -> T? {
    var result: T? = nil
    var failure: Error? = nil
    if communicator.rank == 0 {
      do { result = try body() } catch { failure = error }
    }
    if communicator.size > 1 {
      let message = communicator.broadcast(bytes: Array((failure.map { "\($0)" } ?? "").utf8))
      if failure == nil, !message.isEmpty { throw ExampleError(message: "rank 0: \(String(decoding: message, as: UTF8.self))") }
    }
    if let failure { throw failure }
    return result
  }

  // MARK: Load

  /// Writes the effective options to `options.json` in the (created and
  /// locked) output folder (rank 0).
  func prepareOutputFolder() throws {
    guard communicator.rank == 0 else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(encoder.encode(options), to: outputFile("options.json"))
    if let drawn = try drawnArchitectures() {
      try writeAtomically(Data(drawn.encodings.map { $0 + "\n" }.joined().utf8), to: outputFile("learners.txt"))
      let channels = drawn.space == .cell ? " with \(options.learnerWidth) initial channels (gtn-nas --cell-channels \(options.learnerWidth))" : ""
      log("--learner \(options.learner): meta-training over \(drawn.encodings.count) architectures of the \(drawn.space.rawValue) "
          + "space\(channels) drawn from seed \(options.seed), listed in \(outputFile("learners.txt").path)")
    }
  }

  /// A fresh trainer, continued from the checkpoint with `--resume`.
  func loadTrainer() throws -> DistributedMetaTrainer {
    let checkpoint = outputFile("checkpoint.safetensors")
    let trainer: MetaTrainer
    do { trainer = try makeTrainer() } catch let error as MetaTrainingError {
      throw ExampleError(
        message: "these options do not make a trainer for \(data.name)'s \(data.training.imageShape) images "
          + "(--learner \(options.learner), --generator \(options.generator.rawValue), --curriculum \(options.curriculum.rawValue)): \(error)")
    }
    var distributed = DistributedMetaTrainer(trainer: trainer, communicator: communicator, learnersPerRank: options.parallelLearners)
    if options.resume, try distributed.resume(from: checkpoint) {
      log("resumed from \(checkpoint.path) at iteration \(distributed.trainer.state.iteration)")
    }
    distributed.trainer.configuration.iterations = options.outerIterations
    return distributed
  }

  /// The images accuracy is measured on (`--evaluation-split`) and those the
  /// real-data learning rate is tuned on: on the test split, tuned on the
  /// whole validation split (its first 2,000 images with
  /// `--tune-each-step-count`); on the validation split, measured beyond
  /// its first 2,000 images and tuned on them.
  func evaluationSplits() throws -> EvaluationSplits {
    let validation = data.validation
    let tuningCount = Swift.min(EvaluationSplits.tuningCount, validation.count)
    switch options.evaluationSplit {
    case .test:
      let tuning = options.tuneEachStepCount ? validation.subset(0..<tuningCount) : validation
      return EvaluationSplits(evaluation: data.test, tuning: tuning)
    case .validation:
      guard validation.count > EvaluationSplits.tuningCount else {
        throw ExampleError(message: "--evaluation-split validation needs more than \(EvaluationSplits.tuningCount) validation images, "
                             + "\(data.name) has \(validation.count)")
      }
      return EvaluationSplits(evaluation: validation.subset(tuningCount..<validation.count), tuning: validation.subset(0..<tuningCount))
    }
  }

  // MARK: Train

  /// Learner `learner`'s real batch of outer iteration `i` (learners are
  /// numbered over all ranks; with one learner per rank, the rank): a
  /// deterministic function of the seed, the learner and `i`, so a resumed
  /// run sees the same batches (learner 0's are those of a serial run).
  func realBatch(iteration: Int, learner: Int = 0) -> Batch {
    var rng = SplitMix64(seed: options.seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(iteration) ^ (UInt64(learner) << 40))
    let indices = (0..<options.realBatchSize).map { _ in Int.random(in: 0..<data.training.count, using: &rng) }
    let batch = data.training.batch(at: indices)
    return options.augment ? batch.augmented(using: &rng) : batch
  }

  /// Meta-trains up to `--outer-iterations` or until `--time-budget` is
  /// used, checkpointing every `--checkpoint-every` iterations and at the end.
  func train(_ distributed: inout DistributedMetaTrainer) throws -> MetaTrainingRecord {
    let checkpoint = outputFile("checkpoint.safetensors")
    let metadata = try checkpointMetadata()
    let residentBefore = ProcessMemory.residentBytes
    let peakWasReset = ProcessMemory.resetPeak()
    let clock = ContinuousClock()
    let started = clock.now
    let first = distributed.trainer.state.iteration
    var history = communicator.rank == 0 ? loadHistory(resumingAt: first) : MetaTrainingHistory()
    let secondsBefore = history.seconds
    var progress = TrainingProgress()
    var planned = first < options.outerIterations ? options.outerIterations : nil
    if planned != nil, options.timeBudgetMinutes != nil {
      // A resumed run whose budget the runs before it used up only evaluates.
      planned = plannedIterations(done: first, first: first, elapsed: 0, usedBefore: secondsBefore)
      if planned == nil { log("--time-budget: the runs resumed used \(Int(secondsBefore.rounded())) s of it; evaluating the checkpoint") }
    }
    var skipped = 0, skippedInARow = 0
    while let total = planned {
      distributed.trainer.configuration.iterations = total
      do {
        let result = try distributed.step { learner, iteration in
          let batch = realBatch(iteration: iteration, learner: learner)
          return (batch.images, batch.labels)
        }
        skippedInARow = 0
        progress.add(metaLoss: result.metaLoss, realBatchAccuracy: result.realBatchAccuracy)
        history.append(.init(
          iteration: distributed.trainer.state.iteration, metaLoss: result.metaLoss, realBatchAccuracy: result.realBatchAccuracy,
          seconds: secondsBefore + (clock.now - started).inSeconds))
      } catch MetaTrainingError.nonFiniteMetaLoss(let iteration) where skippedInARow + 1 < Self.nonFiniteIterationsToStop {
        // One learner's inner loop diverged: pass over the iteration (every
        // rank sees the same averaged loss, so all of them skip it).
        distributed.trainer.skipIteration()
        (skipped, skippedInARow) = (skipped + 1, skippedInARow + 1)
        log("iteration \(iteration + 1): the meta-loss or its gradient is not finite; skipped without an update "
              + "(\(skippedInARow) in a row, \(skipped) in this run; \(Self.nonFiniteIterationsToStop) in a row stop it)")
      }
      let done = distributed.trainer.state.iteration
      let elapsed = (clock.now - started).inSeconds
      planned = plannedIterations(done: done, first: first, elapsed: elapsed, usedBefore: secondsBefore)
      if planned == nil || done % options.checkpointEvery == 0 {
        if communicator.rank == 0 { try writeAtomically(history.csv, to: outputFile(Self.historyName)) }
        try distributed.saveCheckpoint(to: checkpoint, metadata: metadata)
      }
      if planned == nil || done % 10 == 0 {
        log(progress.line(done: done, total: planned ?? done, secondsPerIteration: elapsed / Double(done - first)))
      }
    }
    return MetaTrainingRecord(
      firstIteration: first, completedIterations: distributed.trainer.state.iteration, seconds: (clock.now - started).inSeconds,
      residentBytesBefore: residentBefore, peakResidentBytes: peakWasReset ? ProcessMemory.peakResidentBytes : nil, history: history,
      skippedIterations: skipped)
  }

  /// Consecutive outer iterations with a non-finite meta-loss or gradient
  /// that stop meta-training; fewer are skipped without an update.
  public static let nonFiniteIterationsToStop = 5

  /// The name of the per-iteration history in the output folder.
  static let historyName = "training.csv"

  /// The history of the run being resumed at iteration `first` (its rows up
  /// to `first`), or an empty one for a fresh run or when the run has none.
  /// A history that cannot be read is logged and replaced: it only draws the
  /// report's curves, and must not stop a resumed run.
  func loadHistory(resumingAt first: Int) -> MetaTrainingHistory {
    let url = outputFile(Self.historyName)
    guard first > 0, FileManager.default.fileExists(atPath: url.path) else { return MetaTrainingHistory() }
    do {
      var history = try MetaTrainingHistory(csv: String(contentsOf: url, encoding: .utf8), file: url.path)
      history.truncate(after: first)
      return history
    } catch {
      log("--resume: \(plainWords(error)); the report's curves start at iteration \(first + 1)")
      return MetaTrainingHistory()
    }
  }

  /// The total outer iterations to plan for after `done`; `nil` to stop.
  /// With a time budget, rank 0's clock (and its record of the runs
  /// resumed, `usedBefore` seconds) decides for every rank.
  func plannedIterations(done: Int, first: Int, elapsed: Double, usedBefore: Double) -> Int? {
    guard let minutes = options.timeBudgetMinutes else { return done < options.outerIterations ? options.outerIterations : nil }
    let budget = MetaTrainingTimeBudget(seconds: minutes * 60, iterationLimit: options.outerIterations)
    var planned = communicator.rank == 0
      ? budget.plannedIterations(done: done, first: first, elapsed: elapsed, usedBefore: usedBefore) ?? 0 : 0
    if communicator.size > 1 { planned = Int(clamping: communicator.broadcast(UInt64(planned))) }
    return planned > 0 ? planned : nil
  }

  /// What a checkpoint records about the run: the command, the options,
  /// the dataset's name and class names, and how its pixels were scaled with
  /// the training split's statistics (`gtn.normalization`).
  func checkpointMetadata() throws -> [String: String] {
    let statistics = data.trainingPixelStatistics
    let normalization = CheckpointNormalization(
      name: ExampleData.normalizationName, range: [-1, 1], trainingPixelMean: statistics.mean.map(Double.init),
      trainingPixelStandardDeviation: statistics.standardDeviation.map(Double.init))
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return [
      "gtn.command": CommandLine.arguments.joined(separator: " "), "gtn.dataset": data.name,
      "gtn.example_options": String(decoding: try encoder.encode(options), as: UTF8.self),
      "gtn.class_names": String(decoding: try encoder.encode(data.training.classNames), as: UTF8.self),
      "gtn.normalization": String(decoding: try encoder.encode(normalization), as: UTF8.self),
    ]
  }

  // MARK: Evaluate

  /// The step counts k to evaluate at: `--evaluation-steps`, else 1, 2, 4, …
  /// below T, and T.
  func evaluatedStepCounts() -> [Int] {
    if let wanted = options.evaluationSteps, !wanted.isEmpty { return Array(Set(wanted)).sorted() }
    let T = options.innerSteps
    var counts = [1]
    var k = 1
    while k * 2 < T {
      k *= 2
      counts.append(k)
    }
    if k != T { counts.append(T) }
    return counts
  }

  // MARK: Report

  /// Writes the curriculum, the accuracy plot and table and the summary;
  /// returns the summary as one JSON line.
  func report(
    trainer: MetaTrainer, training: MetaTrainingRecord, evaluation: [StepCountEvaluation], evaluationSeconds: Double,
    ensemble: DistributedMetaTrainer.EnsembleEvaluation?
  ) throws -> String {
    let curriculum = try curriculumImages(trainer)
    try writeCurriculum(curriculum, to: outputFile("curriculum.png"))
    try writeAccuracyPlot(evaluation, to: outputFile("accuracy.svg"))
    try writeAccuracyTable(evaluation, to: outputFile("accuracy.csv"))
    try writeAtomically(training.history.csv, to: outputFile(Self.historyName))
    var summary = makeSummary(training: training, evaluation: evaluation)
    if let ensemble {
      summary.ranks = communicator.size
      summary.ensembleTestAccuracy = ensemble.ensembleAccuracy
      summary.ensembleLearnerTestAccuracy = ensemble.learnerAccuracy.mean
      summary.ensembleLearnerTestAccuracyStandardDeviation = ensemble.learnerAccuracy.standardDeviation
    }
    if options.evaluationSteps != nil || options.tuneEachStepCount {
      addDetails(to: &summary, training: training, evaluation: evaluation, evaluationSeconds: evaluationSeconds)
    }
    let json = try summary.jsonData()
    try writeAtomically(json, to: outputFile("summary.json"))
    try writeAtomically(
      makeReport(
        trainer: trainer, curriculum: curriculum, summary: summary, training: training, evaluation: evaluation,
        evaluationSeconds: evaluationSeconds
      ).html,
      to: outputFile("report.html"))
    return String(decoding: json, as: UTF8.self)
  }

  /// The summary's main keys.
  func makeSummary(training: MetaTrainingRecord, evaluation: [StepCountEvaluation]) -> RunSummary {
    let atT = evaluation.first { $0.steps == options.innerSteps }
    var summary = RunSummary(
      dataset: data.name, innerSteps: options.innerSteps, batchSize: options.batchSize, outerIterations: options.outerIterations,
      completedOuterIterations: training.completedIterations, learner: options.learner, generator: options.generator,
      curriculum: options.curriculum, metaTrainingSeconds: (training.seconds * 10).rounded() / 10,
      metaTrainingMinutes: (training.seconds / 60 * 100).rounded() / 100, timeBudgetMinutes: options.timeBudgetMinutes,
      resumedFromIteration: training.firstIteration, evaluationSplit: options.evaluationSplit,
      gtnTestAccuracy: atT?.gtn.mean, gtnTestAccuracyStandardDeviation: atT?.gtn.standardDeviation,
      realTestAccuracy: atT?.real.mean, realTestAccuracyStandardDeviation: atT?.real.standardDeviation,
      realLearningRate: Double(evaluation.last?.realLearningRate ?? 0), evaluationSeeds: options.evaluationSeeds,
      blasCore: BLASRuntime.coreName, threads: options.threads, output: outputFolder.path)
    summary.parallelLearners = options.parallelLearners
    summary.recipe = options.recipe
    summary.cpu = Processor.current.description
    let statistics = data.trainingPixelStatistics
    summary.precision = Precision.current
    summary.precisionRequested = options.precision
    summary.onednnInstructionSet = Precision.instructionSet
    summary.normalization = ExampleData.normalizationName
    summary.trainingPixelMean = statistics.mean.map { (Double($0) * 100).rounded() / 100 }
    summary.trainingPixelStandardDeviation = statistics.standardDeviation.map { (Double($0) * 100).rounded() / 100 }
    return summary
  }

  /// The summary's detailed keys: accuracy per step count, the step
  /// speed-up, evaluation time, memory and the memory-relevant options.
  func addDetails(to summary: inout RunSummary, training: MetaTrainingRecord, evaluation: [StepCountEvaluation], evaluationSeconds: Double) {
    let megabytes = { (bytes: Int?) in bytes.map { Double($0 / 1024) / 1024 } }
    summary.accuracyBySteps = Dictionary(uniqueKeysWithValues: StepCountEvaluation.accuracies(evaluation).map { (String($0.steps), $0.accuracy) })
    // Steps on GTN data to reach the real-data learner's accuracy after K
    // steps: the smallest evaluated k whose mean accuracy is at least as high.
    if let reference = evaluation.last {
      let reaching = evaluation.first { $0.gtn.mean >= reference.real.mean }
      summary.speedupReferenceSteps = reference.steps
      summary.gtnStepsToReachReal = reaching?.steps
      summary.speedup = reaching.map { Double(reference.steps) / Double($0.steps) }
    }
    summary.skippedOuterIterations = training.skippedIterations
    summary.evaluationSeconds = (evaluationSeconds * 10).rounded() / 10
    summary.residentMegabytesBeforeMetaTraining = megabytes(training.residentBytesBefore)
    summary.peakResidentMegabytesMetaTraining = megabytes(training.peakResidentBytes)
    summary.checkpointSegment = options.checkpointSegment
    summary.intermediateLosses = options.intermediateLosses
    summary.augment = options.augment
  }

  /// Accuracy against SGD steps, GTN data versus real data, as SVG.
  func writeAccuracyPlot(_ evaluation: [StepCountEvaluation], to url: URL) throws {
    let split = options.evaluationSplit.rawValue
    var plot = LinePlot(title: "\(data.name): \(split) accuracy after k SGD steps", xLabel: "SGD steps k", yLabel: "\(split) accuracy")
    plot.add(series: "GTN data", points: evaluation.map { (Double($0.steps), $0.gtn.mean) })
    let realSeries = options.tuneEachStepCount ? "real data (lr tuned per k)" : "real data (lr \(evaluation.last?.realLearningRate ?? 0))"
    plot.add(series: realSeries, points: evaluation.map { (Double($0.steps), $0.real.mean) })
    try writeAtomically(plot.svg(), to: url)
  }

  /// Accuracy against SGD steps as CSV.
  func writeAccuracyTable(_ evaluation: [StepCountEvaluation], to url: URL) throws {
    let perStep = options.tuneEachStepCount
    var csv = "steps,gtn_mean,gtn_std,real_mean,real_std" + (perStep ? ",real_learning_rate\n" : "\n")
    for e in evaluation {
      csv += "\(e.steps),\(e.gtn.mean),\(e.gtn.standardDeviation),\(e.real.mean),\(e.real.standardDeviation)"
        + (perStep ? ",\(e.realLearningRate)\n" : "\n")
    }
    try writeAtomically(csv, to: url)
  }

  /// Writes the learned curriculum as a grid: one row per inner step, up to
  /// 20 samples (two per class) per row; for colour images also
  /// `curriculum-preview.png`.
  func writeCurriculum(_ images: (grid: [UInt8], preview: [UInt8]?), to url: URL) throws {
    let (grid, preview) = images
    try writeAtomically(grid, to: url)
    if let preview { try writeAtomically(preview, to: url.deletingLastPathComponent().appendingPathComponent("curriculum-preview.png")) }
  }

  /// The curriculum grid as PNG bytes and, for colour images, a small
  /// preview of up to 8 evenly spaced steps, one sample per class.
  func curriculumImages(_ trainer: MetaTrainer) throws -> (grid: [UInt8], preview: [UInt8]?) {
    let batches = trainer.syntheticBatches()
    let columns = Swift.min(options.batchSize, 20)
    let shape = data.training.imageShape
    let images = Tensor.concatenating(batches.map { $0.images.slice(alongAxis: 0, 0..<columns) }, alongAxis: 0)
    guard images.shape == [batches.count * columns] + shape else {
      throw ExampleError(message: "the curriculum has images of shape \(images.shape), expected \([batches.count * columns] + shape)")
    }
    let grid = try ImageGrid(images: images, rows: batches.count, columns: columns, range: -1...1, scale: 2, spacing: 1).pngData()
    guard shape[0] == 3 else { return (grid, nil) }
    let rows = Swift.min(8, batches.count)
    let picked = (0..<rows).map { batches[$0 * batches.count / rows] }
    let perRow = Swift.min(options.batchSize, 10)
    let preview = Tensor.concatenating(picked.map { $0.images.slice(alongAxis: 0, 0..<perRow) }, alongAxis: 0)
    return (grid, try ImageGrid(images: preview, rows: rows, columns: perRow, range: -1...1, scale: 2, spacing: 2).pngData())
  }
}

/// Smoothed meta-loss and real-batch accuracy for the progress lines.
struct TrainingProgress {
  var metaLoss: Float = 0
  var realBatchAccuracy = 0.0

  mutating func add(metaLoss loss: Float, realBatchAccuracy accuracy: Double) {
    metaLoss = metaLoss == 0 ? loss : 0.9 * metaLoss + 0.1 * loss
    realBatchAccuracy = realBatchAccuracy == 0 ? accuracy : 0.9 * realBatchAccuracy + 0.1 * accuracy
  }

  func line(done: Int, total: Int, secondsPerIteration: Double) -> String {
    String(format: "iteration %d/%d  meta-loss %.4f  real-batch accuracy %.1f%%  %.2f s/it  ETA %@  %@",
           done, total, metaLoss, realBatchAccuracy * 100, secondsPerIteration,
           formatDuration(secondsPerIteration * Double(total - done)), Self.precisionLabel)
  }

  /// The precision that runs and oneDNN's instruction set: `f32 (avx512_core_bf16)`.
  static var precisionLabel: String { "\(Precision.current.argumentDescription) (\(Precision.instructionSet))" }
}

/// `text` as a shell word: unchanged when safe, else in single quotes.
func shellQuoted(_ text: String) -> String {
  let safe = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./,:=+@%".contains($0) }
  return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Entry point shared by the examples: parses `arguments`, loads data with
/// `load`, runs, prints the summary; exits 2 on bad arguments and 1 on
/// data or training errors, with the message on stderr.
///
/// With `acceptsFiles`, `--dataset` also takes file sources (`npz:FILE`,
/// `safetensors:FILE`, `folder:DIR`). The options the run records have
/// `--validation-count` set to the validation images `load` held out.
public func runExample(
  program: String, summary: String, defaults: ExampleOptions, datasets: [DatasetKind], acceptsFiles: Bool = false,
  arguments: [String] = Array(CommandLine.arguments.dropFirst()), load: (ExampleOptions) throws -> ExampleData
) -> Never {
  BLASRuntime.reexecutingWithFastKernelIfNeeded()
  AllocatorTuning.keepLargeAllocationsInHeap()
  if let warning = BLASRuntime.slowKernelWarning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
  var options: ExampleOptions
  do {
    guard let parsed = try ExampleOptions.parse(arguments, defaults: defaults, datasets: datasets, acceptsFiles: acceptsFiles) else {
      print(ExampleOptions.usage(program: program, summary: summary, defaults: defaults, datasets: datasets, acceptsFiles: acceptsFiles))
      exit(0)
    }
    options = parsed
  } catch {
    FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
    exit(2)
  }
  let communicator = MPICommunicator.launchedOrSingleProcess()
  let printsProgress = !options.quiet && communicator.rank == 0
  if printsProgress {
    let arguments = options.commandLineArguments.map(shellQuoted).joined(separator: " ")
    FileHandle.standardError.write(Data("\(program): options: \(arguments)\n".utf8))
  }
  do {
    let data = try load(options)
    options.validationCount = data.validation.count
    if printsProgress {
      FileHandle.standardError.write(Data("\(program): \(data.name): \(data.training.count) training, \(data.validation.count) validation, \(data.test.count) test images; BLAS \(BLASRuntime.coreName), \(options.threads) thread(s)\n".utf8))
    }
    // The threads go to the package's kernels (convolutions split their
    // batch, large matrix products their result); BLAS stays
    // single-threaded inside them, as the benchmarks measured best.
    BLASRuntime.threadCount = 1
    let summary = try withParallelism(threads: options.threads) { [options] in
      try ExampleRunner(options: options, data: data, communicator: communicator).run()
    }
    if let summary { print(summary) }
    exit(0)
  } catch {
    let prefix = communicator.size > 1 ? "\(program) (rank \(communicator.rank)): " : "\(program): "
    FileHandle.standardError.write(Data("\(prefix)\(plainWords(error))\n".utf8))
    exit(1)
  }
}

/// `error` as the message to show: a file that cannot be read or written is
/// described in plain words with its path (is a directory, permission
/// denied) rather than by the system error object.
public func plainWords(_ error: Error) -> String {
  if let error = error as? SyntheticDataExportError { return "--\(error)" }
  guard let error = error as? DataError, error.kind == .unreadable || error.kind == .unwritable else { return "\(error)" }
  if error.kind == .unreadable, let problem = fileProblem(error.file) { return "\(error.file): cannot be read (\(problem))" }
  return "\(error)"
}
