// Every call the examples make into GTNCore's trainer construction and
// evaluation API is in this file: building the trainer from the options
// (configure) and measuring accuracy on GTN and real data (evaluate).

import GTNCore
import GTNData
import GTNDistributed
import GTNSearch

// MARK: - Configure

extension ExampleRunner {
  /// A trainer for these options and data, freshly initialised.
  public func makeTrainer() throws -> MetaTrainer {
    let o = options
    let shape = data.training.imageShape
    let classes = data.training.classNames.count
    var generator = makeGenerator()
    let curriculum: any Curriculum
    switch o.curriculum {
    case .learned:
      curriculum = LearnedCurriculum(
        stepCount: o.innerSteps, batchSize: o.batchSize, noiseSize: o.noiseSize, classCount: classes, learnsSoftLabels: o.softLabels)
    case .random: curriculum = RandomCurriculum(stepCount: o.innerSteps, batchSize: o.batchSize, noiseSize: o.noiseSize, classCount: classes)
    case .shuffled: curriculum = ShuffledCurriculum(stepCount: o.innerSteps, batchSize: o.batchSize, noiseSize: o.noiseSize, classCount: classes)
    case .shuffledBatches:
      curriculum = ShuffledCurriculum(
        stepCount: o.innerSteps, batchSize: o.batchSize, noiseSize: o.noiseSize, classCount: classes, granularity: .batches)
    case .pixels:
      curriculum = PixelCurriculum(
        stepCount: o.innerSteps, batchSize: o.batchSize, imageShape: shape, classCount: classes, learnsSoftLabels: o.softLabels)
      generator = IdentityGenerator()
    }
    var trainer = try MetaTrainer(
      generator: generator, curriculum: curriculum,
      optimizer: SGDWithMomentum(learningRate: o.innerLearningRate, momentum: o.innerMomentum, stepCount: o.innerSteps, perStep: true),
      learners: try makeLearners(),
      configuration: MetaTrainingConfiguration(
        iterations: o.outerIterations, learningRate: o.learningRate, beta2: o.adamBeta2, intermediateLossInterval: o.intermediateLosses,
        checkpointSegmentLength: o.checkpointSegment),
      seed: o.seed)
    if let pixels = curriculum as? PixelCurriculum, o.pixelInitialization == .real {
      // Drawn from the seed alone, so every rank starts from the same images.
      var rng = SplitMix64(seed: o.seed &+ 0x5049_5845_4C53)
      trainer.state.metaParameters.curriculum["images"] = try pixels.initialImages(from: data.training, using: &rng)
    }
    return trainer
  }

  /// The architectures `--learner macro:N` or `cell:N` draws: N distinct
  /// ones of GTNSearch's macro space (flattening head) or cell space (4
  /// nodes, `--learner-width` initial channels, one normal cell per stage,
  /// the default operations) — the spaces `gtn-nas --space` searches by
  /// default, the cell space with `--cell-channels` set to the width —
  /// sized for the data and drawn from `--seed` on a stream of their own,
  /// so that every rank and every resumed run draws the same. `nil` for the
  /// other learner forms.
  public func drawnArchitectures() throws -> (space: SearchSpaceKind, encodings: [String], learners: [any Learner])? {
    guard case .drawn(let kind, let count) = options.learner else { return nil }
    let shape = data.training.imageShape
    let classes = data.training.classNames.count
    var rng = SplitMix64(seed: options.seed &+ 0x4C45_4152_4E45_5253)
    func draw(_ space: some SearchSpace) -> (SearchSpaceKind, [String], [any Learner]) {
      let architectures = space.sample(count: count, using: &rng)
      return (kind, architectures.map(space.encoding(of:)), architectures.map(space.learner(for:)))
    }
    switch kind {
    case .macro:
      let space = MacroSearchSpace(inputChannels: shape[0], imageSize: shape[1], classCount: classes)
      return draw(space)
    case .cell:
      guard shape[1] >= 4, shape[1] == shape[2] else {
        throw ExampleError(message: "--learner \(options.learner): the cell space needs square images of side ≥ 4, got \(shape)")
      }
      let space = CellSearchSpace(
        initialChannels: options.learnerWidth, inputChannels: shape[0], imageSize: shape[1], classCount: classes)
      return draw(space)
    }
  }

  /// The learners `--learner` names: one, or for `macro:ENC,…`, `macro:N`
  /// and `cell:N` those architectures of GTNSearch's spaces, one drawn per
  /// outer iteration.
  func makeLearners() throws -> [any Learner] {
    let shape = data.training.imageShape
    let classes = data.training.classNames.count
    let (channels, side) = (shape[0], shape[1])
    func smallConv(batchNorm: Bool, weightNormalized: Bool = false) -> Sequential {
      let w = options.learnerWidth
      return Sequential.smallConvLearner(
        inputChannels: channels, imageSize: side, classCount: classes, widths: (w, 2 * w),
        hiddenUnits: options.learnerHiddenUnits, batchNorm: batchNorm,
        weightNormalized: weightNormalized)
    }
    switch options.learner {
    case .drawn: return try drawnArchitectures()?.learners ?? []
    case .macro(let encodings):
      let space = MacroSearchSpace(inputChannels: channels, imageSize: side, classCount: classes)
      return try encodings.map { encoding in
        guard let architecture = space.architecture(decoding: encoding) else {
          throw ExampleError(message: "--learner: '\(encoding)' is not a macro-space architecture for \(shape) images")
        }
        return space.learner(for: architecture)
      }
    case .named(.paper) where shape == [3, 32, 32]: return [Sequential.paperCIFARLearner(inputChannels: 3, classCount: classes)]
    case .named(.paper): return [Sequential.paperLearner(inputChannels: channels, imageSize: side, classCount: classes)]
    case .named(.strided):
      let w = options.learnerWidth
      return [Sequential.stridedConvLearner(inputChannels: channels, classCount: classes, widths: (w, 2 * w, 4 * w))]
    case .named(.conv): return [smallConv(batchNorm: false)]
    case .named(.convBatchNorm): return [smallConv(batchNorm: true)]
    case .named(.convWeightNorm): return [smallConv(batchNorm: true, weightNormalized: true)]
    case .named(.mlp): return [Sequential.mlpLearner(inputSize: shape.reduce(1, *), hiddenSize: 128, classCount: classes)]
    }
  }

  /// The generator `--generator` names.
  func makeGenerator() -> any Generator {
    let shape = data.training.imageShape
    let classes = data.training.classNames.count
    switch options.generator {
    case .paper: return ConditionalGenerator.paper(noiseSize: options.noiseSize, imageShape: shape, classCount: classes, outputScale: 1)
    case .conv: return ConditionalGenerator.smallConv(noiseSize: options.noiseSize, imageShape: shape, classCount: classes)
    case .mlp: return ConditionalGenerator.mlp(noiseSize: options.noiseSize, hiddenSize: 256, imageShape: shape, classCount: classes)
    }
  }
}

// MARK: - Evaluate

/// Accuracy after k SGD steps, over fresh learners, on GTN data and on real
/// data with a tuned learning rate.
struct StepCountEvaluation {
  /// The step count k.
  var steps: Int
  /// Fresh learners trained on GTN data.
  var gtn: MeanAndDeviation
  /// Fresh learners trained on real data.
  var real: MeanAndDeviation
  /// The real-data learning rate (tuned for k, or once for the largest k).
  var realLearningRate: Float

  /// The summary's accuracies of an evaluation (in increasing step counts),
  /// each with the real-data steps that reach the GTN learners' accuracy.
  static func accuracies(_ evaluation: [StepCountEvaluation]) -> [(steps: Int, accuracy: RunSummary.StepCountAccuracy)] {
    let realCurve = evaluation.map { (steps: $0.steps, accuracy: $0.real.mean) }
    return evaluation.map { e in
      (e.steps, RunSummary.StepCountAccuracy(
        gtn: e.gtn.mean, gtnStandardDeviation: e.gtn.standardDeviation, real: e.real.mean,
        realStandardDeviation: e.real.standardDeviation, realLearningRate: Double(e.realLearningRate),
        realStepsMatchingGTN: RunSummary.realStepsMatching(e.gtn.mean, real: realCurve).map { ($0 * 10).rounded() / 10 }))
    }
  }
}

extension ExampleRunner {
  /// Evaluates fresh learners on GTN data and on real data at every step
  /// count in `stepCounts`, on `splits.evaluation`, the real-data learning
  /// rate tuned on `splits.tuning`; the learner is `learner`, else the
  /// trainer's first.
  func evaluate(
    _ trainer: MetaTrainer, learner: (any Learner)? = nil, stepCounts: [Int], splits: EvaluationSplits
  ) throws -> [StepCountEvaluation] {
    let learner = learner ?? trainer.learners[0]
    let seeds = (0..<UInt64(options.evaluationSeeds)).map { 1000 + $0 }
    let (evaluation, tuning) = (splits.evaluation, splits.tuning)
    let classCount = data.training.classNames.count
    let gtn = try trainer.evaluate(
      learner: learner, stepCounts: stepCounts, seeds: seeds, testImages: evaluation.images, testLabels: evaluation.labels)
    let real: (accuracy: [Int: MeanAndDeviation], learningRates: [Int: Float])
    if options.tuneEachStepCount {
      let tuned = RealDataBaseline.tunedPerStepCount(
        learner: learner, trainImages: data.training.images, trainLabels: data.training.labels,
        validationImages: tuning.images, validationLabels: tuning.labels, testImages: evaluation.images, testLabels: evaluation.labels,
        batchSize: options.batchSize, stepCounts: stepCounts, classCount: classCount, seeds: seeds)
      real = (tuned.accuracy, tuned.learningRate)
    } else {
      let tuned = RealDataBaseline.tuned(
        learner: learner, trainImages: data.training.images, trainLabels: data.training.labels,
        validationImages: tuning.images, validationLabels: tuning.labels, testImages: evaluation.images, testLabels: evaluation.labels,
        batchSize: options.batchSize, stepCounts: stepCounts, classCount: classCount, seeds: seeds)
      real = (tuned.accuracy, Dictionary(uniqueKeysWithValues: stepCounts.map { ($0, tuned.learningRate) }))
    }
    return try stepCounts.map { k in
      guard let g = gtn[k], let r = real.accuracy[k], let lr = real.learningRates[k] else {
        throw ExampleError(message: "the evaluation has no result for \(k) steps")
      }
      return StepCountEvaluation(steps: k, gtn: g, real: r, realLearningRate: lr)
    }
  }

  /// Evaluates an already trained GTN (such as one restored from a
  /// checkpoint) as a run's final evaluation does: fresh learners trained on
  /// its data with its own inner optimiser and on real data with a tuned
  /// learning rate, at every step count of `--evaluation-steps` (else 1, 2,
  /// 4, … up to T), on `--evaluation-split`.
  ///
  /// - Parameters:
  ///   - trainer: The trained GTN.
  ///   - learner: The architecture to train: `--learner` when `true`, else
  ///     the one the GTN was meta-trained with.
  /// - Returns: The accuracies by step count, in increasing order.
  /// - Throws: ``ExampleError`` when the data cannot carry the evaluation
  ///   or does not fit the GTN's images.
  public func evaluateTrained(
    _ trainer: MetaTrainer, usingLearnerOption: Bool
  ) throws -> [(steps: Int, accuracy: RunSummary.StepCountAccuracy)] {
    try checkData(metaTraining: false)
    let learner = usingLearnerOption ? try makeLearners()[0] : trainer.learners[0]
    do {
      return StepCountEvaluation.accuracies(try evaluate(trainer, learner: learner, stepCounts: evaluatedStepCounts(), splits: evaluationSplits()))
    } catch let error as MetaTrainingError {
      throw ExampleError(message: "\(data.trainingSource): these images do not fit the GTN's learner: \(error)")
    }
  }

  /// With several ranks: one fresh learner per rank trained on the GTN data
  /// for T steps, alone and as an ensemble (collective); `nil` on one rank.
  func evaluateEnsemble(_ distributed: DistributedMetaTrainer, on evaluation: Dataset) -> DistributedMetaTrainer.EnsembleEvaluation? {
    guard communicator.size > 1 else { return nil }
    log("evaluating the ensemble of \(communicator.size) learners (one per rank) after \(options.innerSteps) steps on GTN data")
    return distributed.evaluateEnsemble(
      learner: distributed.trainer.learners[0], steps: options.innerSteps, seed: 1000,
      testImages: evaluation.images, testLabels: evaluation.labels)
  }
}
