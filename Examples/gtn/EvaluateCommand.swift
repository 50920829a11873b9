// gtn evaluate: fresh learners trained on a checkpoint's GTN data (with the
// GTN's own inner optimiser) next to learners trained on real data.

import Foundation
import GTNAutodiff
import GTNCore
import _GTNExamplesSupport

/// `gtn evaluate`'s options; those left unset take the values the
/// checkpoint's run recorded.
struct EvaluateOptions {
  var checkpoint: String?
  var dataset: DatasetSource?
  var dataDirectory: String?
  var imagesTensor: String?
  var labelsTensor: String?
  var validationCount: Int?
  var learner: LearnerChoice?
  var learnerWidth: Int?
  var learnerHiddenUnits: Int?
  var evaluationSteps: [Int]?
  var evaluationSeeds = 5
  var evaluationSplit = EvaluationSplit.test
  var tuneEachStepCount = true
  var threads = ProcessInfo.processInfo.activeProcessorCount
  var precision: Precision?
  var json = false
  var quiet = false

  static var parser: CommandLineParser<EvaluateOptions> {
    CommandLineParser(options: [
      .checkpoint(\.checkpoint),
      CommandLineOption("--dataset", \.dataset, valueName: "SOURCE",
                        help: "The real data: mnist, fashion-mnist, cifar10, npz:FILE, safetensors:FILE or folder:DIR (default: the "
                          + "checkpoint's)"),
      CommandLineOption("--data-dir", \.dataDirectory, valueName: "DIR", help: "Folder with a bundled dataset's files"),
      CommandLineOption("--images-tensor", \.imagesTensor, valueName: "NAME", help: "With --dataset safetensors:FILE: the images tensor"),
      CommandLineOption("--labels-tensor", \.labelsTensor, valueName: "NAME", help: "With --dataset safetensors:FILE: the labels tensor"),
      CommandLineOption("--validation-count", \.validationCount, valueName: "N", bounds: 1...1_000_000,
                        help: "Training images held out as the validation split, on which the real-data learning rate is tuned "
                          + "(default: the checkpoint's run's, or the dataset's usual split)"),
      CommandLineOption("--learner", \.learner, valueName: "NAME",
                        help: "The architecture to train (default: the one the GTN was meta-trained with): "
                          + "\(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")), macro:ENC, or the first of "
                          + "macro:N or cell:N as the checkpoint's run's seed draws them"),
      CommandLineOption("--learner-width", \.learnerWidth, valueName: "W", bounds: 1...1024,
                        help: "Widths W, 2W of the conv, conv-bn and conv-wn learners; W, 2W, 4W of the strided learner; the "
                          + "initial channels of cell:N"),
      CommandLineOption("--learner-hidden-units", \.learnerHiddenUnits, valueName: "H", bounds: 0...65_536,
                        help: "A hidden layer of H units before the conv, conv-bn and conv-wn learners' classifier; 0: none "
                          + "(default: the checkpoint's run's)"),
      CommandLineOption("--evaluation-steps", \.evaluationSteps, valueName: "K,...", bounds: 1...65_536,
                        help: "Step counts to evaluate at (default: 1, 2, 4, … up to T, and T); beyond T, learners cycle through "
                          + "the curriculum again"),
      CommandLineOption("--evaluation-seeds", \.evaluationSeeds, valueName: "N", bounds: 1...1000, help: "Fresh learners per step count"),
      CommandLineOption("--evaluation-split", \.evaluationSplit, valueName: "SPLIT", help: "Where accuracy is measured"),
      .flag("--tune-each-step-count", \.tuneEachStepCount, help: "Tune the real-data learning rate for each step count"),
      .flag("--no-tune-each-step-count", \.tuneEachStepCount, setting: false,
            help: "Tune the real-data learning rate once, for the largest step count"),
      CommandLineOption("--threads", \.threads, valueName: "N", bounds: 1...1024, help: "Threads for the kernels"),
      CommandLineOption("--precision", \.precision, valueName: "P",
                        help: "Matrix products and convolutions of both learners in f32, or bf16 where the CPU multiplies bfloat16 "
                          + "natively (elsewhere f32, and says so); the output names the precision that ran (default: the "
                          + "checkpoint's run's, else f32)"),
      .flag("--json", \.json, help: "Print the result as one JSON object"),
      .flag("--quiet", \.quiet, help: "No progress on stderr"),
    ])
  }

  /// The example options of the evaluation: the checkpoint's run's,
  /// overridden by these.
  func exampleOptions(recorded: ExampleOptions?, curriculumSize: (steps: Int, batchSize: Int)?) -> ExampleOptions {
    var o = recorded ?? ExampleOptions(dataset: .mnist)
    if recorded == nil, let curriculumSize { (o.innerSteps, o.batchSize) = curriculumSize }
    if let dataset, dataset != o.dataset {
      o.dataset = dataset
      o.dataDirectory = nil
      o.validationCount = ExampleOptions(dataset: dataset).validationCount
    }
    if let dataDirectory { o.dataDirectory = dataDirectory }
    if let imagesTensor { o.imagesTensor = imagesTensor }
    if let labelsTensor { o.labelsTensor = labelsTensor }
    if let validationCount { o.validationCount = validationCount }
    if let learner { o.learner = learner }
    if let learnerWidth { o.learnerWidth = learnerWidth }
    if let learnerHiddenUnits { o.learnerHiddenUnits = learnerHiddenUnits }
    o.evaluationSteps = evaluationSteps
    o.evaluationSeeds = evaluationSeeds
    o.evaluationSplit = evaluationSplit
    o.tuneEachStepCount = tuneEachStepCount
    o.threads = threads
    if let precision { o.precision = precision }
    o.quiet = quiet
    return o
  }
}

/// Trains fresh learners on the checkpoint's GTN data and on real data and
/// prints the accuracy by step count.
func runEvaluate(_ arguments: [String]) -> Never {
  let program = "gtn evaluate"
  let options = parseSubcommand(
    program, arguments, parser: EvaluateOptions.parser, defaults: EvaluateOptions(),
    usage: "--checkpoint CKPT [--dataset SOURCE] [--learner NAME] [--evaluation-steps K,...] [options]",
    summary: "Trains fresh learners on a trained GTN's data with the GTN's own learned inner optimiser, and on real data with a "
      + "learning rate tuned on the validation split, and reports their accuracy by step count.",
    epilogue: "Prints one line per step count (or one JSON object with --json): GTN-data and real-data accuracy, mean ± standard "
      + "deviation over the learners, and the real-data learning rate."
  ) { (o: EvaluateOptions) throws(UsageError) in
    guard o.checkpoint != nil else { throw UsageError(message: "--checkpoint CKPT is required (see --help)") }
    if o.learnerWidth != nil, let learner = o.learner { try learner.checkTakesWidths() }
    if o.learnerHiddenUnits != nil, let learner = o.learner { try learner.checkTakesHiddenUnits() }
    if o.imagesTensor != nil || o.labelsTensor != nil, let dataset = o.dataset {
      guard case .safetensors = dataset else {
        throw UsageError(message: "--images-tensor and --labels-tensor name tensors of a safetensors file, but --dataset is \(dataset)")
      }
    }
    if let dataDirectory = o.dataDirectory, let dataset = o.dataset, dataset.kind == nil {
      throw UsageError(message: "--data-dir \(dataDirectory) locates the bundled datasets, but --dataset \(dataset) names its own file or folder")
    }
  }
  let url = checkpointFile(program, options.checkpoint ?? "")
  let info = runOrFail(program) { try CheckpointInfo(contentsOf: url) }
  let trainer = runOrFail(program) { try MetaTrainer(restoringFrom: url) }
  var example = options.exampleOptions(recorded: info.options, curriculumSize: info.curriculumSize)
  if options.learnerWidth != nil {
    do throws(UsageError) { try example.learner.checkTakesWidths() } catch { fail(program, error.message, code: 2) }
  }
  if options.learnerHiddenUnits != nil {
    do throws(UsageError) { try example.learner.checkTakesHiddenUnits() } catch { fail(program, error.message, code: 2) }
  }
  let data = runOrFail(program) {
    try ExampleData.load(
      example.dataset, directory: example.dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) },
      validationCount: options.validationCount ?? (example.dataset.kind == nil && options.dataset != nil ? nil : example.validationCount),
      imagesTensor: example.imagesTensor, labelsTensor: example.labelsTensor)
  }
  example.validationCount = data.validation.count
  if !options.quiet {
    let counts = "\(data.training.count) training, \(data.validation.count) validation, \(data.test.count) test images"
    FileHandle.standardError.write(Data(
      "\(program): \(data.name): \(counts); \(example.evaluationSeeds) learner(s) per step count on GTN data and on real data\n".utf8))
  }
  BLASRuntime.threadCount = 1
  let (precision, reason) = Precision.resolved(example.precision)
  if let reason, !options.quiet {
    FileHandle.standardError.write(Data("\(program): --precision \(example.precision.argumentDescription): \(reason)\n".utf8))
  }
  let results = runOrFail(program) {
    try Precision.$current.withValue(precision) {
      try withParallelism(threads: example.threads) {
        try ExampleRunner(options: example, data: data).evaluateTrained(trainer, usingLearnerOption: options.learner != nil)
      }
    }
  }
  let learner = options.learner.map(\.rawValue) ?? info.options.map { "\($0.learner)" } ?? "the meta-trained learner"
  if options.json {
    let json: [String: Any] = [
      "checkpoint": url.path, "iteration": trainer.state.iteration, "dataset": data.name, "learner": learner,
      "evaluation_split": example.evaluationSplit.rawValue, "evaluation_seeds": example.evaluationSeeds,
      "precision": precision.argumentDescription, "precision_requested": example.precision.argumentDescription,
      "onednn_isa": Precision.instructionSet,
      "accuracy_by_steps": Dictionary(uniqueKeysWithValues: results.map { entry in
        var row = [
          "gtn": entry.accuracy.gtn, "gtn_std": entry.accuracy.gtnStandardDeviation, "real": entry.accuracy.real,
          "real_std": entry.accuracy.realStandardDeviation, "real_learning_rate": entry.accuracy.realLearningRate,
        ]
        row["real_steps_matching_gtn"] = entry.accuracy.realStepsMatchingGTN
        return (String(entry.steps), row)
      }),
    ]
    print(String(decoding: runOrFail(program) { try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) }, as: UTF8.self))
  } else {
    print("\(data.name), \(example.evaluationSplit.rawValue) split, learner \(learner), \(example.evaluationSeeds) learner(s) per row, "
          + "\(precision.argumentDescription) (\(Precision.instructionSet)); "
          + "GTN of \(url.path) at iteration \(trainer.state.iteration)")
    print("steps   GTN data           real data          real lr   real steps to GTN's accuracy")
    for (steps, a) in results {
      let matching = a.realStepsMatchingGTN.map { String(format: "%.0f (%.1f× k)", $0, $0 / Double(steps)) } ?? "–"
      print(String(format: "%5d   %6.2f%% ± %5.2f   %6.2f%% ± %5.2f   %-8.4g  ", steps, a.gtn * 100, a.gtnStandardDeviation * 100,
                   a.real * 100, a.realStandardDeviation * 100, a.realLearningRate) + matching)
    }
  }
  exit(0)
}
