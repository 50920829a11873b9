import Foundation
import GTNCore
import GTNData
import GTNDistributed
import GTNSearch

#if canImport(Glibc)
import Glibc
#endif

/// The data an example meta-trains and evaluates on.
public struct ExampleData: Sendable {
  /// Loads MNIST or Fashion-MNIST ([-1, 1] scaling, last 10,000 training
  /// images as the validation split) from `directory` or the standard places.
  public static func mnistFamily(_ name: String, directory: URL?) throws -> ExampleData {
    let loader = name == "mnist" ? Dataset.mnist : Dataset.fashionMNIST
    let train = try loader(.train, directory, .minusOneToOne, false)
    let test = try loader(.test, directory, .minusOneToOne, false)
    let (training, validation) = train.splitting(validationCount: 10_000)
    return ExampleData(name: name == "mnist" ? "MNIST" : "Fashion-MNIST", training: training, validation: validation, test: test)
  }

  /// Loads CIFAR-10 ([-1, 1] scaling, the generator's range; the last 5,000
  /// training images — the second half of `data_batch_5` — as the
  /// validation split, leaving 45,000) from `directory` or `GTN_DATA_DIR`.
  public static func cifar10(directory: URL?) throws -> ExampleData {
    let train = try Dataset.cifar10(split: .train, from: directory, normalization: .minusOneToOne)
    let test = try Dataset.cifar10(split: .test, from: directory, normalization: .minusOneToOne)
    let (training, validation) = train.splitting(validationCount: 5_000)
    return ExampleData(name: "CIFAR-10", training: training, validation: validation, test: test)
  }

  public var name: String
  public var training: Dataset
  public var validation: Dataset
  public var test: Dataset

  public init(name: String, training: Dataset, validation: Dataset, test: Dataset) {
    self.name = name
    self.training = training
    self.validation = validation
    self.test = test
  }
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

  private func log(_ message: String) {
    guard !options.quiet, communicator.rank == 0 else { return }
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }

  /// A trainer for these options and data, freshly initialised.
  /// `--learner macro:ENC,…`: those architectures of GTNSearch's macro
  /// space (flattening head), one drawn per outer iteration; `nil` for the
  /// named learners.
  func macroLearners(_ option: String, inputChannels: Int, imageSize: Int, classCount: Int) -> [any Learner]? {
    guard option.hasPrefix("macro:") else { return nil }
    let space = MacroSearchSpace(inputChannels: inputChannels, imageSize: imageSize, classCount: classCount)
    return option.dropFirst("macro:".count).split(separator: ",").map { encoding in
      guard let architecture = space.architecture(decoding: String(encoding)) else {
        preconditionFailure("--learner: '\(encoding)' is not a macro-space encoding (checked when parsed)")
      }
      return space.learner(for: architecture)
    }
  }

  public func makeTrainer() throws -> MetaTrainer {
    let o = options
    let shape = data.training.imageShape
    let classes = data.training.classNames.count
    let side = shape[1]
    let learner: Sequential
    switch o.learner {
    case "paper" where shape == [3, 32, 32]: learner = .paperCIFARLearner(inputChannels: 3, classCount: classes)
    case "paper": learner = .paperLearner(inputChannels: shape[0], imageSize: side, classCount: classes)
    case "strided": learner = .stridedConvLearner(inputChannels: shape[0], classCount: classes, widths: (o.learnerWidth, 2 * o.learnerWidth, 4 * o.learnerWidth))
    case "conv": learner = .smallConvLearner(inputChannels: shape[0], imageSize: side, classCount: classes)
    case "conv-bn": learner = .smallConvLearner(inputChannels: shape[0], imageSize: side, classCount: classes, batchNorm: true)
    case "conv-wn":
      learner = .smallConvLearner(inputChannels: shape[0], imageSize: side, classCount: classes, batchNorm: true, weightNormalized: true)
    default: learner = .mlpLearner(inputSize: shape.reduce(1, *), hiddenSize: 128, classCount: classes)
    }
    var generator: any Generator
    switch o.generator {
    case "paper": generator = ConditionalGenerator.paper(noiseSize: o.noiseSize, imageShape: shape, classCount: classes, outputScale: 1)
    case "conv": generator = ConditionalGenerator.smallConv(noiseSize: o.noiseSize, imageShape: shape, classCount: classes)
    default: generator = ConditionalGenerator.mlp(noiseSize: o.noiseSize, hiddenSize: 256, imageShape: shape, classCount: classes)
    }
    let curriculum: any Curriculum
    switch o.curriculum {
    case "random": curriculum = RandomCurriculum(stepCount: o.innerSteps, batchSize: o.batchSize, noiseSize: o.noiseSize, classCount: classes)
    case "shuffled": curriculum = ShuffledCurriculum(stepCount: o.innerSteps, batchSize: o.batchSize, noiseSize: o.noiseSize, classCount: classes)
    case "pixels":
      curriculum = PixelCurriculum(stepCount: o.innerSteps, batchSize: o.batchSize, imageShape: shape, classCount: classes)
      generator = IdentityGenerator()
    default:
      curriculum = LearnedCurriculum(stepCount: o.innerSteps, batchSize: o.batchSize, noiseSize: o.noiseSize, classCount: classes, learnsSoftLabels: o.softLabels)
    }
    return try MetaTrainer(
      generator: generator, curriculum: curriculum,
      optimizer: SGDWithMomentum(learningRate: o.innerLearningRate, momentum: o.innerMomentum, stepCount: o.innerSteps, perStep: true),
      learners: macroLearners(o.learner, inputChannels: shape[0], imageSize: side, classCount: classes) ?? [learner],
      configuration: MetaTrainingConfiguration(
        iterations: o.outerIterations, learningRate: o.learningRate, beta2: o.adamBeta2, intermediateLossInterval: o.intermediateLosses,
        checkpointSegmentLength: o.checkpointSegment),
      seed: o.seed)
  }

  /// Rank `rank`'s real batch of outer iteration `i`: a deterministic
  /// function of the seed, the rank and `i`, so a resumed run sees the same
  /// batches (rank 0's are those of a serial run).
  func realBatch(iteration: Int, rank: Int = 0) -> Batch {
    var rng = SplitMix64(seed: options.seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(iteration) ^ (UInt64(rank) << 40))
    let indices = (0..<options.realBatchSize).map { _ in Int.random(in: 0..<data.training.count, using: &rng) }
    let batch = data.training.batch(at: indices)
    return options.augment ? batch.augmented(using: &rng) : batch
  }

  /// Runs the whole job (collective) and returns the summary line on rank
  /// 0, `nil` on the other ranks.
  public func run() throws -> String? {
    let output = URL(fileURLWithPath: options.output, isDirectory: true)
    if communicator.rank == 0 { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }
    let checkpointURL = output.appendingPathComponent("checkpoint.safetensors")
    var distributed = DistributedMetaTrainer(trainer: try makeTrainer(), communicator: communicator)
    if options.resume, try distributed.resume(from: checkpointURL) {
      log("resumed from \(checkpointURL.path) at iteration \(distributed.trainer.state.iteration)")
    }
    distributed.trainer.configuration.iterations = options.outerIterations
    let metadata = [
      "gtn.command": CommandLine.arguments.joined(separator: " "), "gtn.dataset": data.name,
      "gtn.example_options": String(decoding: try JSONEncoder().encode(options), as: UTF8.self),
    ]

    // Meta-training.
    let residentBefore = ProcessMemory.residentBytes
    let peakWasReset = ProcessMemory.resetPeak()
    let clock = ContinuousClock()
    let started = clock.now
    let firstIteration = distributed.trainer.state.iteration
    var recentLoss: Float = 0
    var recentAccuracy = 0.0
    while distributed.trainer.state.iteration < options.outerIterations {
      let result = try distributed.step { rank, iteration in
        let batch = realBatch(iteration: iteration, rank: rank)
        return (batch.images, batch.labels)
      }
      recentLoss = recentLoss == 0 ? result.metaLoss : 0.9 * recentLoss + 0.1 * result.metaLoss
      recentAccuracy = recentAccuracy == 0 ? result.realBatchAccuracy : 0.9 * recentAccuracy + 0.1 * result.realBatchAccuracy
      let done = distributed.trainer.state.iteration
      if done % options.checkpointEvery == 0 || done == options.outerIterations {
        try distributed.saveCheckpoint(to: checkpointURL, metadata: metadata)
      }
      if done % 10 == 0 || done == options.outerIterations {
        let elapsed = seconds(clock.now - started)
        let perIteration = elapsed / Double(done - firstIteration)
        let eta = perIteration * Double(options.outerIterations - done)
        log(String(format: "iteration %d/%d  meta-loss %.4f  real-batch accuracy %.1f%%  %.2f s/it  ETA %@",
                   done, options.outerIterations, recentLoss, recentAccuracy * 100, perIteration, formatDuration(eta)))
      }
    }
    let trainingSeconds = seconds(clock.now - started)
    let peakDuringTraining = ProcessMemory.peakResidentBytes
    let trainer = distributed.trainer
    let T = options.innerSteps

    // With several ranks: one fresh learner per rank on the GTN data, alone
    // and as an ensemble (collective).
    var ensemble: DistributedMetaTrainer.EnsembleEvaluation? = nil
    if communicator.size > 1 {
      log("evaluating the ensemble of \(communicator.size) learners (one per rank) after \(T) steps on GTN data")
      ensemble = distributed.evaluateEnsemble(
        learner: trainer.learners[0], steps: T, seed: 1000, testImages: data.test.images, testLabels: data.test.labels)
    }
    guard communicator.rank == 0 else { return nil }

    // Evaluation: fresh learners on GTN data versus tuned real data.
    log("evaluating: \(options.evaluationSeeds) fresh learners on GTN data and on real data (learning rate tuned on the validation split)")
    let learner = trainer.learners[0]
    var stepCounts = [1]
    while stepCounts.last! * 2 < T { stepCounts.append(stepCounts.last! * 2) }
    if stepCounts.last! != T { stepCounts.append(T) }
    if let wanted = options.evaluationSteps { stepCounts = wanted }
    let K = stepCounts.max()!
    let seeds = (0..<UInt64(options.evaluationSeeds)).map { 1000 + $0 }
    let evaluationStarted = clock.now
    let gtn = try trainer.evaluate(learner: learner, stepCounts: stepCounts, seeds: seeds, testImages: data.test.images, testLabels: data.test.labels)
    let real: (accuracy: [Int: MeanAndDeviation], learningRates: [Int: Float])
    if options.tuneEachStepCount {
      // Tuning measures every learning rate at every k: on a 2,000-image
      // part of the validation split to bound the cost.
      let tuning = data.validation.subset(0..<Swift.min(2_000, data.validation.count))
      let tuned = RealDataBaseline.tunedPerStepCount(
        learner: learner, trainImages: data.training.images, trainLabels: data.training.labels,
        validationImages: tuning.images, validationLabels: tuning.labels,
        testImages: data.test.images, testLabels: data.test.labels,
        batchSize: options.batchSize, stepCounts: stepCounts, classCount: data.training.classNames.count, seeds: seeds)
      real = (tuned.accuracy, tuned.learningRate)
    } else {
      let tuned = RealDataBaseline.tuned(
        learner: learner, trainImages: data.training.images, trainLabels: data.training.labels,
        validationImages: data.validation.images, validationLabels: data.validation.labels,
        testImages: data.test.images, testLabels: data.test.labels,
        batchSize: options.batchSize, stepCounts: stepCounts, classCount: data.training.classNames.count, seeds: seeds)
      real = (tuned.accuracy, Dictionary(uniqueKeysWithValues: stepCounts.map { ($0, tuned.learningRate) }))
    }
    let evaluationSeconds = seconds(clock.now - evaluationStarted)
    // Steps on GTN data to reach the real-data learner's accuracy after K
    // steps: the smallest evaluated k whose mean accuracy is at least as high.
    let stepsToReach = stepCounts.first { gtn[$0]!.mean >= real.accuracy[K]!.mean }

    // Outputs.
    try writeCurriculum(trainer, to: output.appendingPathComponent("curriculum.png"))
    var plot = LinePlot(title: "\(data.name): test accuracy after k SGD steps", xLabel: "SGD steps k", yLabel: "test accuracy")
    plot.add(series: "GTN data", points: stepCounts.map { (Double($0), gtn[$0]!.mean) })
    let realSeries = options.tuneEachStepCount ? "real data (lr tuned per k)" : "real data (lr \(real.learningRates[K]!))"
    plot.add(series: realSeries, points: stepCounts.map { (Double($0), real.accuracy[$0]!.mean) })
    try plot.svg().write(to: output.appendingPathComponent("accuracy.svg"), atomically: true, encoding: .utf8)
    var csv = "steps,gtn_mean,gtn_std,real_mean,real_std" + (options.tuneEachStepCount ? ",real_learning_rate\n" : "\n")
    for k in stepCounts {
      csv += "\(k),\(gtn[k]!.mean),\(gtn[k]!.standardDeviation),\(real.accuracy[k]!.mean),\(real.accuracy[k]!.standardDeviation)"
        + (options.tuneEachStepCount ? ",\(real.learningRates[k]!)\n" : "\n")
    }
    try csv.write(to: output.appendingPathComponent("accuracy.csv"), atomically: true, encoding: .utf8)

    let megabytes = { (bytes: Int?) -> Any in bytes.map { Double($0 / 1024) / 1024 } ?? NSNull() }
    var summary: [String: Any] = [
      "dataset": data.name,
      "inner_steps": T,
      "batch_size": options.batchSize,
      "outer_iterations": options.outerIterations,
      "learner": options.learner,
      "generator": options.generator,
      "curriculum": options.curriculum,
      "meta_training_seconds": (trainingSeconds * 10).rounded() / 10,
      "resumed_from_iteration": firstIteration,
      "gtn_test_accuracy": gtn[T].map { $0.mean } ?? NSNull(),
      "gtn_test_accuracy_std": gtn[T].map { $0.standardDeviation } ?? NSNull(),
      "real_test_accuracy": real.accuracy[T].map { $0.mean } ?? NSNull(),
      "real_test_accuracy_std": real.accuracy[T].map { $0.standardDeviation } ?? NSNull(),
      "real_learning_rate": Double(real.learningRates[K]!),
      "evaluation_seeds": options.evaluationSeeds,
      "blas_core": BLASRuntime.coreName,
      "threads": options.threads,
      "output": output.path,
    ]
    if let ensemble {
      summary["ranks"] = communicator.size
      summary["ensemble_test_accuracy"] = ensemble.ensembleAccuracy
      summary["ensemble_learner_test_accuracy"] = ensemble.learnerAccuracy.mean
      summary["ensemble_learner_test_accuracy_std"] = ensemble.learnerAccuracy.standardDeviation
    }
    if options.evaluationSteps != nil || options.tuneEachStepCount {
      summary["accuracy_by_steps"] = Dictionary(uniqueKeysWithValues: stepCounts.map { k in
        (String(k), [
          "gtn": gtn[k]!.mean, "gtn_std": gtn[k]!.standardDeviation,
          "real": real.accuracy[k]!.mean, "real_std": real.accuracy[k]!.standardDeviation,
          "real_learning_rate": Double(real.learningRates[k]!),
        ] as [String: Any])
      })
      summary["speedup_reference_steps"] = K
      summary["gtn_steps_to_reach_real"] = stepsToReach ?? NSNull()
      summary["speedup"] = stepsToReach.map { Double(K) / Double($0) } ?? NSNull()
      summary["evaluation_seconds"] = (evaluationSeconds * 10).rounded() / 10
      summary["resident_mb_before_meta_training"] = megabytes(residentBefore)
      summary["peak_resident_mb_meta_training"] = peakWasReset ? megabytes(peakDuringTraining) : NSNull()
      summary["checkpoint_segment"] = options.checkpointSegment ?? NSNull()
      summary["intermediate_losses"] = options.intermediateLosses ?? NSNull()
      summary["augment"] = options.augment
    }
    let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    try json.write(to: output.appendingPathComponent("summary.json"), options: .atomic)
    return String(decoding: json, as: UTF8.self)
  }

  /// Writes the learned curriculum as a grid: one row per inner step, up to
  /// 20 samples (two per class) per row.
  func writeCurriculum(_ trainer: MetaTrainer, to url: URL) throws {
    let batches = trainer.syntheticBatches()
    let columns = Swift.min(options.batchSize, 20)
    let shape = data.training.imageShape
    let images = Tensor.concatenating(batches.map { $0.images.slice(alongAxis: 0, 0..<columns) }, alongAxis: 0)
    precondition(images.shape == [batches.count * columns] + shape)
    try ImageGrid(images: images, rows: batches.count, columns: columns, range: -1...1, scale: 2, spacing: 1).write(to: url)
    if shape[0] == 3 {
      // Colour images make a large grid: also a small preview of up to 8
      // evenly spaced steps, one sample per class.
      let rows = Swift.min(8, batches.count)
      let picked = (0..<rows).map { batches[$0 * batches.count / rows] }
      let perRow = Swift.min(options.batchSize, 10)
      let preview = Tensor.concatenating(picked.map { $0.images.slice(alongAxis: 0, 0..<perRow) }, alongAxis: 0)
      try ImageGrid(images: preview, rows: rows, columns: perRow, range: -1...1, scale: 2, spacing: 2)
        .write(to: url.deletingLastPathComponent().appendingPathComponent("curriculum-preview.png"))
    }
  }
}

func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func formatDuration(_ s: Double) -> String {
  guard s.isFinite else { return "?" }
  let total = Int(s.rounded())
  return total >= 3600 ? String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    : String(format: "%dm%02ds", total / 60, total % 60)
}

/// Entry point shared by the examples: parses arguments, loads data with
/// `load`, runs, prints the summary; exits 2 on bad arguments and 1 on
/// data or training errors, with the message on stderr.
public func runExample(
  program: String, summary: String, defaults: ExampleOptions, datasets: [String],
  load: (ExampleOptions) throws -> ExampleData
) -> Never {
  BLASRuntime.reexecutingWithFastKernelIfNeeded()
  AllocatorTuning.keepLargeAllocationsInHeap()
  if let warning = BLASRuntime.slowKernelWarning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
  let options: ExampleOptions
  do {
    guard let parsed = try ExampleOptions.parse(Array(CommandLine.arguments.dropFirst()), defaults: defaults, datasets: datasets) else {
      print(ExampleOptions.usage(program: program, summary: summary, defaults: defaults, datasets: datasets))
      exit(0)
    }
    options = parsed
  } catch {
    FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
    exit(2)
  }
  let communicator = MPICommunicator.launchedOrSingleProcess()
  do {
    let data = try load(options)
    if !options.quiet, communicator.rank == 0 {
      FileHandle.standardError.write(Data("\(program): \(data.name): \(data.training.count) training, \(data.validation.count) validation, \(data.test.count) test images; BLAS \(BLASRuntime.coreName), \(options.threads) thread(s)\n".utf8))
    }
    // The threads go to the package's kernels (convolutions split their
    // batch, large matrix products their result); BLAS stays
    // single-threaded inside them, as the benchmarks measured best.
    BLASRuntime.threadCount = 1
    let summary = try withParallelism(threads: options.threads) {
      try ExampleRunner(options: options, data: data, communicator: communicator).run()
    }
    if let summary { print(summary) }
    exit(0)
  } catch {
    let prefix = communicator.size > 1 ? "\(program) (rank \(communicator.rank)): " : "\(program): "
    FileHandle.standardError.write(Data("\(prefix)\(error)\n".utf8))
    exit(1)
  }
}
