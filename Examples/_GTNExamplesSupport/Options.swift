import Foundation
import GTNSearch

/// The command-line options shared by the example executables.
public struct ExampleOptions: Sendable, Codable {
  public var dataDirectory: String?
  public var dataset: String
  public var innerSteps = 32
  public var batchSize = 128
  public var outerIterations = 300
  public var seed: UInt64 = 1
  public var output = "gtn-output"
  public var resume = false
  public var learner = "mlp"
  public var generator = "mlp"
  public var curriculum = "learned"
  public var softLabels = false
  public var intermediateLosses: Int? = nil
  public var checkpointSegment: Int? = nil
  public var threads = 1
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

  public init(dataset: String) { self.dataset = dataset }

  /// Decodes options saved by any version of the examples (checkpoints keep
  /// them): keys a later version added take their defaults.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(dataset: try c.decode(String.self, forKey: .dataset))
    func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
      if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
    }
    try take(.dataDirectory, &dataDirectory)
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
    try take(.intermediateLosses, &intermediateLosses)
    try take(.checkpointSegment, &checkpointSegment)
    try take(.threads, &threads)
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
  }
}

/// A command-line argument that cannot be used.
public struct UsageError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}

extension ExampleOptions {
  /// Parses `arguments` (without the program name).
  public static func parse(_ arguments: [String], defaults: ExampleOptions, datasets: [String]) throws -> ExampleOptions? {
    var options = defaults
    var i = 0
    func value(_ flag: String) throws -> String {
      i += 1
      guard i < arguments.count else { throw UsageError(message: "\(flag) needs a value") }
      return arguments[i]
    }
    func integer(_ flag: String, minimum: Int = 1) throws -> Int {
      let text = try value(flag)
      guard let n = Int(text), n >= minimum else { throw UsageError(message: "\(flag) expects an integer ≥ \(minimum), got '\(text)'") }
      return n
    }
    func choice(_ flag: String, _ allowed: [String]) throws -> String {
      let text = try value(flag)
      guard allowed.contains(text) else { throw UsageError(message: "\(flag) expects one of \(allowed.joined(separator: ", ")), got '\(text)'") }
      return text
    }
    while i < arguments.count {
      let flag = arguments[i]
      switch flag {
      case "-h", "--help": return nil
      case "--data-dir": options.dataDirectory = try value(flag)
      case "--dataset": options.dataset = try choice(flag, datasets)
      case "--inner-steps": options.innerSteps = try integer(flag)
      case "--batch-size": options.batchSize = try integer(flag)
      case "--outer-iterations": options.outerIterations = try integer(flag)
      case "--seed": options.seed = UInt64(try integer(flag, minimum: 0))
      case "--output": options.output = try value(flag)
      case "--resume": options.resume = true
      case "--learner" where arguments.indices.contains(i + 1) && arguments[i + 1].hasPrefix("macro:"):
        // Architectures of GTNSearch's macro space, one drawn per outer iteration.
        options.learner = try value(flag)
        let encodings = options.learner.dropFirst("macro:".count).split(separator: ",").map(String.init)
        guard !encodings.isEmpty, encodings.allSatisfy({ MacroSearchSpace().architecture(decoding: $0) != nil }) else {
          throw UsageError(message: "--learner macro: expects macro-space encodings like macro:c16k3p-c32k3p,c8k5p, got '\(options.learner)'")
        }
      case "--learner": options.learner = try choice(flag, ["mlp", "conv", "conv-bn", "conv-wn", "strided", "paper"])
      case "--generator": options.generator = try choice(flag, ["mlp", "conv", "paper"])
      case "--curriculum": options.curriculum = try choice(flag, ["learned", "random", "shuffled", "pixels"])
      case "--soft-labels": options.softLabels = true
      case "--intermediate-losses": options.intermediateLosses = try integer(flag)
      case "--checkpoint-segment": options.checkpointSegment = try integer(flag)
      case "--threads": options.threads = try integer(flag)
      case "--evaluation-seeds": options.evaluationSeeds = try integer(flag)
      case "--checkpoint-every": options.checkpointEvery = try integer(flag)
      case "--real-batch-size": options.realBatchSize = try integer(flag)
      case "--learning-rate":
        let text = try value(flag)
        guard let lr = Float(text), lr > 0 else { throw UsageError(message: "--learning-rate expects a positive number, got '\(text)'") }
        options.learningRate = lr
      case "--inner-learning-rate":
        let text = try value(flag)
        guard let lr = Float(text), lr > 0 else { throw UsageError(message: "--inner-learning-rate expects a positive number, got '\(text)'") }
        options.innerLearningRate = lr
      case "--inner-momentum":
        let text = try value(flag)
        guard let mu = Float(text), mu > 0, mu < 1 else { throw UsageError(message: "--inner-momentum expects a number in (0, 1), got '\(text)'") }
        options.innerMomentum = mu
      case "--noise-size": options.noiseSize = try integer(flag)
      case "--augment": options.augment = true
      case "--no-augment": options.augment = false
      case "--quiet": options.quiet = true
      case "--adam-beta2":
        let text = try value(flag)
        guard let beta = Float(text), beta > 0, beta < 1 else { throw UsageError(message: "--adam-beta2 expects a number in (0, 1), got '\(text)'") }
        options.adamBeta2 = beta
      case "--evaluation-steps":
        let text = try value(flag)
        let steps = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !steps.isEmpty, steps.allSatisfy({ ($0 ?? 0) >= 1 }) else {
          throw UsageError(message: "--evaluation-steps expects comma-separated integers ≥ 1, got '\(text)'")
        }
        options.evaluationSteps = Array(Set(steps.map { $0! })).sorted()
      case "--tune-each-step-count": options.tuneEachStepCount = true
      case "--learner-width": options.learnerWidth = try integer(flag)
      case "--paper" where options.dataset == "cifar10":
        // The paper's CIFAR-10 setup, one flag away.
        options.learner = "paper"
        options.generator = "paper"
        options.noiseSize = 128
        options.innerSteps = 128
        options.batchSize = 128
        options.realBatchSize = 256
        options.intermediateLosses = 16
        options.learningRate = 0.004
        options.adamBeta2 = 0.9
        options.augment = true
        options.checkpointSegment = 16
      case "--paper":
        // The paper's MNIST setup, one flag away.
        options.learner = "paper"
        options.generator = "paper"
        options.noiseSize = 128
        options.innerSteps = 32
        options.batchSize = 128
        options.intermediateLosses = 1
        options.learningRate = 0.02
        options.outerIterations = 2000
        options.checkpointSegment = 8
      default: throw UsageError(message: "unknown argument '\(flag)' (see --help)")
      }
      i += 1
    }
    return options
  }

  /// The help text.
  public static func usage(program: String, summary: String, defaults: ExampleOptions, datasets: [String]) -> String {
    """
    USAGE: \(program) [options]

    \(summary)

    OPTIONS:
      --data-dir DIR            Folder with the dataset files (else $GTN_DATA_DIR, else standard locations)
      --dataset NAME            \(datasets.joined(separator: " | ")) (default: \(defaults.dataset))
      --inner-steps T           Inner SGD steps per outer iteration (default: \(defaults.innerSteps))
      --batch-size B            Synthetic samples per inner step (default: \(defaults.batchSize))
      --outer-iterations N      Meta-training iterations (default: \(defaults.outerIterations))
      --seed S                  Seed for every random choice (default: \(defaults.seed))
      --output DIR              Where checkpoint, PNG, SVG, CSV and summary go (default: \(defaults.output))
      --resume                  Continue from DIR/checkpoint.safetensors if present
      --learner mlp|conv|conv-bn|conv-wn|strided|paper  Learner architecture (default: \(defaults.learner));
                                strided: conv W, 2W s2, 2W, 4W s2, 4W, GAP, FC; paper: the paper's
                                learner for the dataset (on CIFAR-10: strided at widths 64, 128, 256);
                                macro:ENC,…: architectures of GTNSearch's macro space (gtn-nas
                                encodings such as c16k3p-c32k3p), one drawn per outer iteration
      --learner-width W         Widths W, 2W, 4W of the strided learner (default: \(defaults.learnerWidth))
      --generator mlp|conv|paper Generator architecture (default: \(defaults.generator))
      --curriculum KIND         learned | random | shuffled | pixels (default: \(defaults.curriculum))
      --soft-labels             Learn soft labels with the curriculum
      --intermediate-losses K   Add the real-data loss after every K-th inner step
      --checkpoint-segment K    Gradient checkpointing: recompute the inner loop in segments of K steps
      --learning-rate LR        Outer Adam learning rate (default: \(defaults.learningRate))
      --adam-beta2 B            Outer Adam β₂ (default: \(defaults.adamBeta2))
      --inner-learning-rate LR  Initial learned inner learning rate (default: \(defaults.innerLearningRate))
      --inner-momentum MU       Initial learned inner momentum (default: \(defaults.innerMomentum))
      --noise-size Z            Generator input length (default: \(defaults.noiseSize))
      --real-batch-size N       Real images per meta-loss (default: \(defaults.realBatchSize))
      --augment                 Random crop (pad 4) and horizontal flip of the real batches\(defaults.augment ? " (default: on;\n                                --no-augment turns it off)" : "")
      --threads N               Threads for the kernels: convolutions split their batch, large matrix products
                                and elementwise kernels their work; BLAS stays single-threaded (default: \(defaults.threads))
      --evaluation-seeds N      Fresh learners per evaluation (default: \(defaults.evaluationSeeds))
      --evaluation-steps K,...  Step counts to evaluate at (default: \(defaults.evaluationSteps.map { $0.map(String.init).joined(separator: ",") } ?? "1, 2, 4, … up to T"));
                                beyond T, learners cycle through the curriculum again
      --tune-each-step-count    Tune the real-data learning rate for each step count\(defaults.tuneEachStepCount ? " (default: on)" : "")
      --checkpoint-every N      Save the run every N iterations (default: \(defaults.checkpointEvery))
    \(paperUsage(datasets))
      --quiet                   No progress on stderr
      -h, --help                Show this help

    Writes DIR/curriculum.png (one row per inner step; for colour images also a small
    DIR/curriculum-preview.png of 8 steps, one sample per class), DIR/accuracy.svg and DIR/accuracy.csv
    (test accuracy against SGD steps, GTN data versus tuned real data), DIR/checkpoint.safetensors,
    DIR/summary.json, and prints the summary as one JSON line on stdout.
    """
  }

  /// The help line of `--paper` for the example's datasets.
  static func paperUsage(_ datasets: [String]) -> String {
    if datasets.contains("cifar10") {
      return "  --paper                   The paper's CIFAR-10 setup (paper learner and generator, T=128, B=128,\n"
        + "                            real batch 256, Adam lr 0.004 with betas 0.9/0.9, augmentation,\n"
        + "                            intermediate losses every 16 steps, checkpoint segments of 16)"
    }
    return "  --paper                   The paper's full setup (paper learner and generator, T=32, B=128,\n"
      + "                            intermediate losses, 2000 iterations, checkpoint segments of 8)"
  }
}
