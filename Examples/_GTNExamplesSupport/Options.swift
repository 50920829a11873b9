import Foundation
import GTNCore

/// The command-line options shared by the example executables.
///
/// Checkpoints keep these options as JSON (`gtn.example_options`), and runs
/// write them to `DIR/options.json`; the learner, generator, curriculum and
/// dataset are spelled by their command-line names there.
public struct ExampleOptions: Sendable, Codable {
  public var dataDirectory: String?
  /// The dataset: a bundled one or a file source (`npz:FILE`, …).
  public var dataset: DatasetSource
  /// With `--dataset safetensors:FILE`: the images tensor's name.
  public var imagesTensor = "images"
  /// With `--dataset safetensors:FILE`: the labels tensor's name.
  public var labelsTensor = "labels"
  public var innerSteps = 32
  public var batchSize = 128
  public var outerIterations = 300
  public var seed: UInt64 = 1
  public var output = "gtn-output"
  public var resume = false
  public var learner = LearnerChoice.named(.mlp)
  public var generator = GeneratorKind.mlp
  public var curriculum = CurriculumKind.learned
  public var softLabels = false
  /// How the images of `--curriculum pixels` start.
  public var pixelInitialization = PixelInitialization.noise
  public var intermediateLosses: Int? = nil
  public var checkpointSegment: Int? = nil
  /// Threads for the kernels: all active processors (results are the same
  /// for any thread count).
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  /// Learners per outer iteration (per rank under `mpirun`), trained
  /// concurrently on the threads; the meta-gradient is their mean.
  public var parallelLearners = 1
  public var evaluationSeeds = 5
  public var checkpointEvery = 25
  public var realBatchSize = 128
  public var learningRate: Float = 0.01
  public var innerLearningRate: Float = 0.02
  public var innerMomentum: Float = 0.5
  public var noiseSize = 64
  public var augment = false
  public var quiet = false
  /// Adam's β₂ for the outer loop.
  public var adamBeta2: Float = 0.999
  /// Step counts k to evaluate at; `nil`: 1, 2, 4, … up to T, and T.
  public var evaluationSteps: [Int]? = nil
  /// Tune the real-data baseline's learning rate for every evaluated step
  /// count separately (else once, for the largest).
  public var tuneEachStepCount = false
  /// The `strided` learner's first width w (then 2w and 4w).
  public var learnerWidth = 16
  /// Hidden units of the conv learners' head (0: none).
  public var learnerHiddenUnits = 0
  /// Wall-clock minutes meta-training may use (`nil`: no limit); then
  /// `outerIterations` is an upper bound, which parsing lifts to
  /// ``outerIterationsUnderTimeBudget`` unless `--outer-iterations` is given.
  public var timeBudgetMinutes: Double? = nil
  /// The images the final evaluation reports accuracy on.
  public var evaluationSplit = EvaluationSplit.test
  /// The training images held out as the validation split (the last ones of
  /// the training file): 10,000 for MNIST and Fashion-MNIST, 5,000 for
  /// CIFAR-10.
  public var validationCount = 10_000
  /// With `--resume`: the options (flag names without `--`) that may differ
  /// from those the checkpoint was written with, beyond
  /// ``alwaysChangeableOnResume``.
  public var allowedChanges: [String]? = nil
  /// The precision asked for matrix products and convolutions; what runs is
  /// `Precision.resolved(precision)`.
  public var precision = Precision.float32
  /// The recipe the other options start from (`--recipe`; MNIST and
  /// Fashion-MNIST); `nil` where the example has none and with `--paper`.
  /// Parsing resolves `auto`, so parsed options name the recipe that ran.
  public var recipe: RecipeKind? = nil
  /// Resident memory, in gigabytes, at which the run stops with advice
  /// (`nil`: when the system has less than a thirty-second of its memory,
  /// at least 256 MiB, left), before the kernel's out-of-memory killer ends
  /// it without a word.
  public var memoryLimitGigabytes: Double? = nil

  /// The defaults for `dataset`.
  public init(dataset: DatasetSource) {
    self.dataset = dataset
    if dataset == .cifar10 { validationCount = 5_000 }
  }

  /// Decodes options saved by any version of the examples (checkpoints keep
  /// them): keys a later version added take their defaults.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(dataset: try c.decode(DatasetSource.self, forKey: .dataset))
    func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
      if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
    }
    try take(.dataDirectory, &dataDirectory)
    try take(.imagesTensor, &imagesTensor)
    try take(.labelsTensor, &labelsTensor)
    try take(.innerSteps, &innerSteps)
    try take(.batchSize, &batchSize)
    try take(.outerIterations, &outerIterations)
    try take(.seed, &seed)
    try take(.output, &output)
    try take(.resume, &resume)
    try take(.learner, &learner)
    try take(.generator, &generator)
    try take(.curriculum, &curriculum)
    try take(.softLabels, &softLabels)
    try take(.pixelInitialization, &pixelInitialization)
    try take(.intermediateLosses, &intermediateLosses)
    try take(.checkpointSegment, &checkpointSegment)
    try take(.threads, &threads)
    try take(.parallelLearners, &parallelLearners)
    try take(.evaluationSeeds, &evaluationSeeds)
    try take(.checkpointEvery, &checkpointEvery)
    try take(.realBatchSize, &realBatchSize)
    try take(.learningRate, &learningRate)
    try take(.innerLearningRate, &innerLearningRate)
    try take(.innerMomentum, &innerMomentum)
    try take(.noiseSize, &noiseSize)
    try take(.augment, &augment)
    try take(.quiet, &quiet)
    try take(.adamBeta2, &adamBeta2)
    try take(.evaluationSteps, &evaluationSteps)
    try take(.tuneEachStepCount, &tuneEachStepCount)
    try take(.learnerWidth, &learnerWidth)
    try take(.learnerHiddenUnits, &learnerHiddenUnits)
    try take(.timeBudgetMinutes, &timeBudgetMinutes)
    try take(.evaluationSplit, &evaluationSplit)
    try take(.validationCount, &validationCount)
    try take(.allowedChanges, &allowedChanges)
    try take(.precision, &precision)
    try take(.recipe, &recipe)
    try take(.memoryLimitGigabytes, &memoryLimitGigabytes)
  }
}

// MARK: - Command line

extension ExampleOptions {
  /// The options' table, for an example that reads `datasets` and, with
  /// `acceptsFiles`, file sources (`npz:FILE`, `safetensors:FILE`,
  /// `folder:DIR`) with their `--images-tensor` and `--labels-tensor`.
  public static func commandLineOptions(datasets: [DatasetKind], acceptsFiles: Bool = false) -> [CommandLineOption<ExampleOptions>] {
    typealias Option = CommandLineOption<ExampleOptions>
    let datasetOptions: [Option] = acceptsFiles
      ? [
        Option("--dataset", \.dataset, valueName: "SOURCE",
               help: "The dataset: a bundled one, found with --data-dir (\(datasets.map(\.rawValue).joined(separator: ", "))); "
                 + "npz:FILE, a NumPy archive in Keras's layout (x_train, y_train, x_test, y_test); safetensors:FILE, an images "
                 + "and a labels tensor (a random sixth held out as the test split); folder:DIR, one folder of PNG or JPEG "
                 + "images per class (DIR/train and DIR/test, or a random sixth held out). Images are scaled to [-1, 1]; the "
                 + "validation split of a file source is drawn at random (fixed seed)"),
        Option("--images-tensor", \.imagesTensor, valueName: "NAME", help: "With --dataset safetensors:FILE: the images tensor"),
        Option("--labels-tensor", \.labelsTensor, valueName: "NAME", help: "With --dataset safetensors:FILE: the labels tensor"),
      ]
      : [Option("--dataset", \.dataset, valueName: "NAME", choices: datasets.map(DatasetSource.named), help: "The dataset")]
    let paperHelp = datasets.contains(.cifar10)
      ? "The paper's CIFAR-10 setup: paper learner and generator, learned curriculum, one-hot labels, noise 128, T=128, B=128, "
        + "inner η 0.02 and μ 0.5, real batch 256, Adam lr 0.004 with betas 0.9/0.9, augmentation, intermediate losses every "
        + "16 steps, checkpoint segments of 16; applied before the other flags, which override it"
      : "The paper's full setup: paper learner and generator, learned curriculum, one-hot labels, noise 128, T=32, B=128, "
        + "inner η 0.02 and μ 0.5, intermediate losses at every step, Adam lr 0.02, 2000 iterations, checkpoint segments "
        + "of 8; applied before the other flags, which override it"
    let recipeOptions: [Option] = datasets.contains(where: { $0 != .cifar10 })
      ? [
        Option("--recipe", \.recipe, valueName: "NAME",
               help: "The defaults the other flags start from (they override it). mlp: MLP learner and generator, 800 "
                 + "outer iterations without --time-budget, the real-data loss after every step (beats real data within two minutes); conv-bn: "
                 + "the conv-bn learner, B=64, soft labels, inner lr 0.1 and momentum 0.5, the loss on 256 real images after "
                 + "every 4th step, 2 --parallel-learners (about 96% after 32 steps from ten minutes on two cores); "
                 + "conv-bn-pixels: conv-bn with the images and soft labels learned directly, --curriculum pixels, outer "
                 + "--learning-rate \(RecipeKind.pixelLearningRate.formatted()) (about 97.5% from ten minutes); conv-bn-real-pixels: conv-bn-pixels starting from real images, --pixel-initialization "
                 + "real (a head start for short budgets); auto: conv-bn-pixels from --time-budget "
                 + "\(RecipeKind.automaticPixelMinutes.formatted()) minutes on, conv-bn-real-pixels from "
                 + "\(RecipeKind.automaticConvolutionalMinutes.formatted()) (without --paper), else mlp"),
      ]
      : []
    return [
      Option("--data-dir", \.dataDirectory, valueName: "DIR",
             help: "Folder with the dataset files (else $GTN_DATA_DIR, else standard locations)"),
    ] + datasetOptions + recipeOptions + [
      Option("--inner-steps", \.innerSteps, valueName: "T", bounds: 1...4096, help: "Inner SGD steps per outer iteration"),
      Option("--batch-size", \.batchSize, valueName: "B", bounds: 1...65_536, help: "Synthetic samples per inner step"),
      Option("--outer-iterations", \.outerIterations, valueName: "N", bounds: 1...10_000_000,
             help: "Meta-training iterations; with --time-budget, the most to run (there, unless given: no limit but the budget)"),
      Option("--time-budget", \.timeBudgetMinutes, valueName: "MINUTES", bounds: .greaterThan(0, atMost: 100_000),
             help: "Stop meta-training after this much wall time, then checkpoint and evaluate; the outer learning-rate "
               + "schedule is fitted to the iterations the budget allows. With --resume the budget covers the runs "
               + "resumed too: an interrupted run resumed with its budget ends when it would have"),
      Option("--seed", \.seed, valueName: "S", bounds: 0...UInt64.max, help: "Seed for every random choice"),
      Option("--output", \.output, valueName: "DIR",
             help: "Where the checkpoint, options.json, PNG, SVG, CSV and summary go"),
      .flag("--resume", \.resume, help: "Continue from DIR/checkpoint.safetensors if present"),
      Option("--learner", \.learner, valueName: "NAME",
             help: "Learner architecture. strided: conv W, 2W s2, 2W, 4W s2, 4W, GAP, FC; paper: the paper's learner for "
               + "the dataset (on CIFAR-10: strided at widths 64, 128, 256); macro:ENC,…: architectures of GTNSearch's "
               + "macro space (gtn-nas encodings such as c16k3p-c32k3p), one drawn per outer iteration; macro:N, cell:N: "
               + "N distinct architectures of that space as gtn-nas --space searches it (cells of --learner-width initial "
               + "channels), drawn from --seed (listed in DIR/learners.txt): a GTN for scoring the space. The final "
               + "evaluation trains the first architecture"),
      Option("--learner-width", \.learnerWidth, valueName: "W", bounds: 1...1024,
             help: "Widths W, 2W of the conv, conv-bn and conv-wn learners; W, 2W, 4W of the strided learner; the initial "
               + "channels of cell:N"),
      Option("--learner-hidden-units", \.learnerHiddenUnits, valueName: "H", bounds: 0...65_536,
             help: "A hidden layer of H units (with the learner's batch norm and LeakyReLU) before the conv, conv-bn and "
               + "conv-wn learners' classifier; 0: none"),
      Option("--generator", \.generator, valueName: "KIND", help: "Generator architecture"),
      Option("--curriculum", \.curriculum, valueName: "KIND", help: "How the generator's inputs are chosen"),
      .flag("--soft-labels", \.softLabels, help: "Learn soft labels with the curriculum (learned or pixels)"),
      .flag("--no-soft-labels", \.softLabels, setting: false, help: "One-hot labels"),
      Option("--pixel-initialization", \.pixelInitialization, valueName: "KIND",
             help: "With --curriculum pixels: start the images from noise or from real training images of each sample's class"),
      Option("--intermediate-losses", \.intermediateLosses, valueName: "K", bounds: 1...4096,
             help: "Add the real-data loss after every K-th inner step (K ≥ T: only the final loss)"),
      Option("--checkpoint-segment", \.checkpointSegment, valueName: "K", bounds: 1...4096,
             help: "Gradient checkpointing: recompute the inner loop in segments of K steps"),
      Option("--learning-rate", \.learningRate, valueName: "LR", bounds: .greaterThan(0, atMost: 10), help: "Outer Adam learning rate"),
      Option("--adam-beta2", \.adamBeta2, valueName: "B", bounds: .strictlyBetween(0, 1), help: "Outer Adam β₂"),
      Option("--inner-learning-rate", \.innerLearningRate, valueName: "LR", bounds: .greaterThan(0, atMost: 10),
             help: "Initial learned inner learning rate"),
      Option("--inner-momentum", \.innerMomentum, valueName: "MU", bounds: .strictlyBetween(0, 1), help: "Initial learned inner momentum"),
      Option("--noise-size", \.noiseSize, valueName: "Z", bounds: 1...65_536, help: "Generator input length"),
      Option("--real-batch-size", \.realBatchSize, valueName: "N", bounds: 1...65_536, help: "Real images per meta-loss"),
      .flag("--augment", \.augment, help: "Random crop (pad 4) and horizontal flip of the real batches"),
      .flag("--no-augment", \.augment, setting: false, help: "No augmentation of the real batches"),
      Option("--precision", \.precision, valueName: "P",
             help: "Matrix products and convolutions in f32, or bf16 (bfloat16 inputs, float32 accumulation; parameters and "
               + "meta-gradients stay float32) where the CPU multiplies bfloat16 natively (AMX or avx512_bf16); elsewhere "
               + "bf16 runs f32 and says so. The summary names the precision that ran"),
      Option("--threads", \.threads, valueName: "N", bounds: 1...1024,
             help: "Threads for the kernels: convolutions split their batch, large matrix products and elementwise kernels "
               + "their work; BLAS stays single-threaded"),
      Option("--parallel-learners", \.parallelLearners, valueName: "L", bounds: 1...1024,
             help: "Learners per outer iteration (per rank under mpirun), trained concurrently on the --threads; the "
               + "meta-gradient is their mean. L learners on one process compute what L ranks compute"),
      Option("--evaluation-seeds", \.evaluationSeeds, valueName: "N", bounds: 1...1000, help: "Fresh learners per evaluation"),
      Option("--evaluation-steps", \.evaluationSteps, valueName: "K,...", bounds: 1...65_536,
             help: "Step counts to evaluate at (unset: 1, 2, 4, … up to T, and T); beyond T, learners cycle through the "
               + "curriculum again"),
      Option("--evaluation-split", \.evaluationSplit, valueName: "SPLIT",
             help: "Where accuracy is measured: the test split, or the validation images beyond the first 2,000 (on "
               + "which the real-data learning rate is tuned), to choose recipes without touching the test split"),
      .flag("--tune-each-step-count", \.tuneEachStepCount, help: "Tune the real-data learning rate for each step count"),
      .flag("--no-tune-each-step-count", \.tuneEachStepCount, setting: false,
            help: "Tune the real-data learning rate once, for the largest step count"),
      Option("--memory-limit", \.memoryLimitGigabytes, valueName: "GB", bounds: .greaterThan(0, atMost: 1_000_000),
             help: "Stop with advice (and keep the last checkpoint) when resident memory passes GB gigabytes (unset: when "
               + "the system has less than 1/32 of its memory left), instead of being killed by the system"),
      Option("--checkpoint-every", \.checkpointEvery, valueName: "N", bounds: 1...10_000_000, help: "Save the run every N iterations"),
      Option("--validation-count", \.validationCount, valueName: "N", bounds: 1...1_000_000,
             help: "The last N images of the training file form the validation split (the real-data learning rate is "
               + "tuned on it); the rest are the training split"),
      Option("--allow-changes", \.allowedChanges, valueName: "FLAG,...",
             help: "With --resume: options (names without --, e.g. learning-rate,seed) that may differ from the run that "
               + "wrote the checkpoint; outer-iterations, time-budget, threads, parallel-learners, recipe, output, quiet, "
               + "the evaluation options, checkpoint-every, checkpoint-segment and memory-limit may always differ"),
      .preset("--paper", help: paperHelp) { $0.applyPaperSetup() },
      .flag("--quiet", \.quiet, help: "No progress on stderr"),
    ]
  }

  /// The parser of the examples' command line.
  public static func commandLineParser(datasets: [DatasetKind], acceptsFiles: Bool = false) -> CommandLineParser<ExampleOptions> {
    CommandLineParser(options: commandLineOptions(datasets: datasets, acceptsFiles: acceptsFiles))
  }

  /// Parses `arguments` (without the program name) into `defaults`; `nil`
  /// when they ask for help.
  ///
  /// - Throws: ``UsageError`` naming the flag that cannot be used.
  public static func parse(
    _ arguments: [String], defaults: ExampleOptions, datasets: [DatasetKind], acceptsFiles: Bool = false
  ) throws(UsageError) -> ExampleOptions? {
    let parser = commandLineParser(datasets: datasets, acceptsFiles: acceptsFiles)
    switch try parser.parse(arguments, defaults: defaults) {
    case .run(var options):
      /// Whether the command line itself names `flag` (as `--flag`, `--flag VALUE` or `--flag=VALUE`).
      func gives(_ flag: String) -> Bool { arguments.contains { $0 == flag || $0.hasPrefix(flag + "=") } }
      if let recipe = options.recipe {
        // The recipe sets the defaults, so the flags are read again on top of it.
        let paper = gives("--paper")
        if paper, recipe != .auto {
          throw UsageError(message: "--recipe \(recipe.rawValue) and --paper both choose the recipe; give one of them")
        }
        let resolved = recipe.resolved(timeBudgetMinutes: options.timeBudgetMinutes, paper: paper)
        var recipeDefaults = defaults
        recipeDefaults.applyRecipe(resolved)
        guard case .run(let reparsed) = try parser.parse(arguments, defaults: recipeDefaults) else { return nil }
        options = reparsed
        options.recipe = paper ? nil : resolved
      }
      // Printed options name the default width with any learner; another
      // width with a learner of fixed widths would change nothing.
      if options.learnerWidth != defaults.learnerWidth { try options.learner.checkTakesWidths() }
      if options.learnerHiddenUnits != defaults.learnerHiddenUnits { try options.learner.checkTakesHiddenUnits() }
      if options.pixelInitialization != .noise && options.curriculum != .pixels {
        // A recipe's real initial images give way to another curriculum; the flag does not.
        if gives("--pixel-initialization") {
          throw UsageError(
            message: "--pixel-initialization \(options.pixelInitialization.rawValue): only --curriculum pixels has images "
              + "to initialise, but --curriculum is \(options.curriculum.rawValue)")
        }
        options.pixelInitialization = .noise
      }
      if options.recipe?.learnsPixels == true && options.curriculum != .pixels && !gives("--learning-rate") {
        // A pixel recipe's outer learning rate, tuned for images learned
        // directly, gives way to a generator's curriculum; the flag does not.
        options.learningRate = defaults.learningRate
      }
      if options.softLabels && !options.curriculum.learnsSoftLabels {
        // A recipe's soft labels give way to such a curriculum; the flag does not.
        if gives("--soft-labels") {
          throw UsageError(
            message: "--soft-labels: --curriculum \(options.curriculum.rawValue) keeps no sample at a fixed place for a learned "
              + "label to go with; soft labels need --curriculum learned or pixels")
        }
        options.softLabels = false
      }
      // A time budget alone bounds the run: a default iteration count would
      // end it early, with the schedule fitted to the smaller of the two.
      if options.timeBudgetMinutes != nil && !gives("--outer-iterations") {
        options.outerIterations = outerIterationsUnderTimeBudget
      }
      try options.checkAllowedChanges(parser: parser)
      try options.checkDatasetFlags(defaults: defaults)
      return options
    case .help: return nil
    }
  }

  /// The options that may differ between a checkpoint's run and a run
  /// resuming it without `--allow-changes`: they do not change what has
  /// been trained so far.
  /// `--recipe` only sets defaults (the values it sets are compared one by
  /// one), and `--parallel-learners`, like the number of MPI ranks, leaves
  /// the checkpointed state's meaning unchanged.
  public static let alwaysChangeableOnResume: Set<String> = [
    "--outer-iterations", "--time-budget", "--threads", "--precision", "--output", "--quiet", "--resume", "--allow-changes",
    "--recipe", "--parallel-learners",
    "--checkpoint-every", "--checkpoint-segment", "--memory-limit", "--evaluation-seeds", "--evaluation-steps", "--evaluation-split", "--tune-each-step-count",
    "--no-tune-each-step-count",
  ]

  /// Checks that `--allow-changes` names options of the table.
  func checkAllowedChanges(parser: CommandLineParser<ExampleOptions>) throws(UsageError) {
    guard let allowedChanges else { return }
    let names = parser.options.filter { !$0.isPreset }.map(\.name)
    for name in allowedChanges {
      let flag = name.hasPrefix("--") ? name : "--" + name
      guard names.contains(flag) else {
        throw UsageError(message: "--allow-changes: '\(name)' is not an option; options are \(names.map { $0.dropFirst(2) }.joined(separator: ", "))")
      }
    }
  }

  /// Checks that `--images-tensor` and `--labels-tensor` are given only
  /// with a safetensors source, and `--data-dir` only with a bundled
  /// dataset.
  func checkDatasetFlags(defaults: ExampleOptions) throws(UsageError) {
    if dataset.kind == nil, let dataDirectory, dataDirectory != defaults.dataDirectory {
      throw UsageError(
        message: "--data-dir \(dataDirectory) locates the bundled datasets, but --dataset \(dataset) names its own file or folder")
    }
    if case .safetensors = dataset { return }
    for (flag, value, standard) in [("--images-tensor", imagesTensor, defaults.imagesTensor), ("--labels-tensor", labelsTensor, defaults.labelsTensor)]
    where value != standard {
      throw UsageError(message: "\(flag) names a tensor of a safetensors file, but --dataset is \(dataset) (give --dataset safetensors:FILE)")
    }
  }

  /// The options that differ between `recorded` (a checkpoint's run) and
  /// these, except those allowed to differ (``alwaysChangeableOnResume``
  /// and `--allow-changes`).
  public func differences(fromRecorded recorded: ExampleOptions) -> [OptionDifference] {
    let allowed = Self.alwaysChangeableOnResume.union((allowedChanges ?? []).map { $0.hasPrefix("--") ? $0 : "--" + $0 })
    return Self.commandLineParser(datasets: DatasetKind.allCases, acceptsFiles: true).differences(between: recorded, and: self, ignoring: allowed)
  }

  /// The help text, generated from the options' table.
  public static func usage(
    program: String, summary: String, defaults: ExampleOptions, datasets: [DatasetKind], acceptsFiles: Bool = false
  ) -> String {
    commandLineParser(datasets: datasets, acceptsFiles: acceptsFiles).helpText(
      program: program, summary: summary, defaults: defaults,
      epilogue: """
        Writes DIR/options.json (the effective options), DIR/curriculum.png (one row per inner step; for colour images \
        also a small DIR/curriculum-preview.png of 8 steps, one sample per class), DIR/accuracy.svg and DIR/accuracy.csv \
        (accuracy against SGD steps, GTN data versus tuned real data), DIR/training.csv (each outer iteration's \
        meta-loss), DIR/checkpoint.safetensors, DIR/summary.json, DIR/report.html (all of it on one self-contained \
        page), and prints the summary as one JSON line on stdout.
        """)
  }

  /// The options as arguments that reproduce them: `--dataset mnist
  /// --inner-steps 32 …`.
  public var commandLineArguments: [String] {
    // The tensor names only with a safetensors source (the only one they
    // apply to, and the only one with which they parse).
    guard case .safetensors = dataset else { return Self.commandLineParser(datasets: DatasetKind.allCases).arguments(for: self) }
    return Self.commandLineParser(datasets: DatasetKind.allCases, acceptsFiles: true).arguments(for: self)
  }

  /// The defaults of `mnist-gtn` and `gtn train`: the MLP recipe's values
  /// with `--recipe auto`, which parsing resolves by the time budget.
  public static func withRecipes(dataset: DatasetSource) -> ExampleOptions {
    var options = ExampleOptions(dataset: dataset)
    options.applyRecipe(.mlp)
    options.recipe = .auto
    return options
  }

  /// The outer-iteration limit of a run with `--time-budget` and without
  /// `--outer-iterations`: the budget ends it.
  public static let outerIterationsUnderTimeBudget = 1_000_000

  /// Sets the options a recipe chooses (``RecipeKind``); the others keep
  /// their values. `auto` changes nothing (resolve it first). With a time
  /// budget, every recipe runs as many outer iterations as the budget allows.
  public mutating func applyRecipe(_ recipe: RecipeKind) {
    switch recipe {
    case .auto:
      return
    case .mlp:
      learner = .named(.mlp)
      generator = .mlp
      batchSize = 128
      intermediateLosses = 1
      outerIterations = 800
      tuneEachStepCount = true
    case .convBatchNorm, .convBatchNormPixels, .convBatchNormRealPixels:
      learner = .named(.convBatchNorm)
      generator = .mlp
      batchSize = 64
      softLabels = true
      innerLearningRate = 0.1
      innerMomentum = 0.5
      intermediateLosses = 4
      realBatchSize = 256
      parallelLearners = 2
      outerIterations = 1_200
      tuneEachStepCount = true
      if recipe.learnsPixels {
        curriculum = .pixels
        learningRate = RecipeKind.pixelLearningRate
      }
      if recipe == .convBatchNormRealPixels { pixelInitialization = .real }
    }
  }

  /// Sets the paper's setup for the dataset (`--paper`): on CIFAR-10 its
  /// CIFAR-10 setup, else (file sources included) its MNIST one; either way
  /// its generator with a learned curriculum and one-hot labels, the learned
  /// per-step rates starting at η = 0.02 and μ = 0.5.
  public mutating func applyPaperSetup() {
    learner = .named(.paper)
    generator = .paper
    curriculum = .learned
    softLabels = false
    pixelInitialization = .noise
    innerLearningRate = 0.02
    innerMomentum = 0.5
    noiseSize = 128
    batchSize = 128
    switch dataset.kind {
    case .cifar10:
      innerSteps = 128
      realBatchSize = 256
      intermediateLosses = 16
      learningRate = 0.004
      adamBeta2 = 0.9
      augment = true
      checkpointSegment = 16
    case .mnist, .fashionMNIST, nil:
      innerSteps = 32
      intermediateLosses = 1
      learningRate = 0.02
      outerIterations = 2000
      checkpointSegment = 8
    }
  }
}
