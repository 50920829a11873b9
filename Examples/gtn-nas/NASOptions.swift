import GTNSearch
import _GTNExamplesSupport

/// What gtn-nas does.
enum NASCommand: String, CaseIterable, CommandLineValue {
  /// How well does the GTN proxy rank architectures?
  case correlate
  /// Find a good architecture under a budget.
  case search
}

/// The macro space's classifier head.
enum MacroHeadKind: String, CaseIterable, CommandLineValue {
  /// Flattened features, as the GTN's learner.
  case flatten
  /// Global average pooling.
  case gap

  var head: MacroSearchSpace.Head {
    switch self {
    case .flatten: .flatten
    case .gap: .globalAveragePool
    }
  }
}

/// What scores the candidates of a search.
enum ProxyKind: String, CaseIterable, CommandLineValue {
  case gtn
  case real
}

/// How a search proposes candidates.
enum StrategyKind: String, CaseIterable, CommandLineValue {
  case random
  case evolution
}

/// gtn-nas's options.
struct NASOptions {
  var command = NASCommand.correlate
  var gtn: String?
  var dataDirectory: String?
  var output = "gtn-nas-output"
  var architectures = 50
  var gtnSteps = [128]
  var realSteps = [32, 64, 128, 256, 512]
  var truthSteps = 2000
  var truthSeeds = 1
  var reusedStudy: String?
  var proxy = ProxyKind.gtn
  var strategy = StrategyKind.evolution
  var budget = SearchBudget.evaluations(100)
  var top = 3
  var finalSeeds = 3
  var seed: UInt64 = 1
  var validationCount = 2000
  var threads = 1
  var space = SearchSpaceKind.macro
  var macroHead = MacroHeadKind.flatten
  var cellNodes = 4
  var cellChannels = 16
  var cellRepeats = 1
  var cellOperations = CellSearchSpace.defaultOperations

  /// The options' table.
  static var commandLineOptions: [CommandLineOption<NASOptions>] {
    typealias Option = CommandLineOption<NASOptions>
    return [
      Option("--gtn", \.gtn, valueName: "DIR", help: "The output folder of a GTN run (mnist-gtn, cifar-gtn, gtn train) with checkpoint.safetensors (required)"),
      Option("--space", \.space, valueName: "SPACE",
             help: "The search space: conv stacks, or normal and reduction cells stacked [normal × R, reduction] × 2 (its "
               + "logs are named cell-nNcCrR[-ops]-…; each configuration resumes only its own)"),
      Option("--macro-head", \.macroHead, valueName: "HEAD",
             help: "macro: classifier head, flattened features or global average pooling (gap logs are named gap-…)"),
      Option("--cell-nodes", \.cellNodes, valueName: "N", bounds: 1...16, help: "cell: nodes per cell"),
      Option("--cell-channels", \.cellChannels, valueName: "C", bounds: 1...1024, help: "cell: initial channels, doubled at each reduction"),
      Option("--cell-repeats", \.cellRepeats, valueName: "R", bounds: 0...16, help: "cell: normal cells before each reduction"),
      Option("--cell-operations", \.cellOperations, valueName: "A,B,…",
             help: "cell: the operation set, distinct names (conv3x3 and conv5x5 also exist)"),
      Option("--data-dir", \.dataDirectory, valueName: "DIR", help: "Dataset folder (else $GTN_DATA_DIR, else standard locations)"),
      Option("--output", \.output, valueName: "DIR", help: "Where the JSON Lines logs go; runs resume from them"),
      Option("--architectures", \.architectures, valueName: "N", bounds: 1...100_000, help: "correlate: how many architectures"),
      stepCountsOption("--gtn-steps", \.gtnSteps, limit: 65_536, help: "SGD steps of the GTN proxy (correlate: one proxy each; search: the first)"),
      stepCountsOption("--real-steps", \.realSteps, limit: 100_000, help: "correlate: real-data proxy step counts (search --proxy real: the first)"),
      Option("--truth-steps", \.truthSteps, valueName: "K", bounds: 1...1_000_000, help: "Real-data steps of the ground truth"),
      Option("--truth-seeds", \.truthSeeds, valueName: "N", bounds: 1...16,
             help: "correlate: ground-truth trainings per architecture, each from a seed of its own (never the proxies', "
               + "which share one initialisation); the proxies are ranked "
               + "against their mean, and the summary gives the Spearman between the first two (the best a proxy can reach)"),
      Option("--reuse-study", \.reusedStudy, valueName: "LOG",
             help: "correlate: take the architectures, real-data scores and ground truth from an earlier study's log and "
               + "score only the GTN proxy again (to compare GTNs); give the same --seed and --real-steps as that study"),
      Option("--proxy", \.proxy, valueName: "PROXY", help: "search: the proxy"),
      Option("--strategy", \.strategy, valueName: "STRATEGY", help: "search: the strategy"),
      Option(
        "--budget-evaluations", \.budget, valueName: "N", allowedValues: "range [1, 1000000]",
        expectation: "an integer in [1, 1000000]", help: "search: candidates to evaluate",
        isAllowed: { (n: Int) in (1...1_000_000).contains(n) }, transform: { .evaluations($0) },
        currentArgument: { if case .evaluations(let n) = $0 { String(n) } else { nil } }),
      Option(
        "--budget-seconds", \.budget, valueName: "S", allowedValues: "range (0, 10000000]",
        expectation: "a finite number in (0, 10000000]", help: "search: evaluation seconds instead",
        isAllowed: { (s: Double) in s > 0 && s <= 10_000_000 }, transform: { .seconds($0) },
        currentArgument: { if case .seconds(let s) = $0 { s.argumentDescription } else { nil } }),
      Option("--top", \.top, valueName: "K", bounds: 1...1000, help: "search: candidates trained on real data at the end"),
      Option("--final-seeds", \.finalSeeds, valueName: "N", bounds: 1...100,
             help: "search: seeds the chosen architecture is retrained from scratch with and tested (mean, spread and each in the summary)"),
      Option("--seed", \.seed, valueName: "S", bounds: 0...UInt64.max, help: "Seed"),
      Option("--validation-count", \.validationCount, valueName: "N", bounds: 1...1_000_000, help: "Held-out images the proxies score on"),
      Option("--threads", \.threads, valueName: "N", bounds: 1...1024, help: "Threads for the convolution kernels"),
    ]
  }

  /// A comma-separated list of step counts in [1, `limit`], kept sorted
  /// and distinct.
  static func stepCountsOption(
    _ name: String, _ keyPath: WritableKeyPath<NASOptions, [Int]>, limit: Int, help: String
  ) -> CommandLineOption<NASOptions> {
    CommandLineOption(
      name, keyPath, valueName: "K1,K2,...", allowedValues: "range [1, \(limit)] each",
      expectation: "comma-separated integers in [1, \(limit)]", help: help,
      isAllowed: { (steps: [Int]) in steps.allSatisfy { (1...limit).contains($0) } }, transform: { Array(Set($0)).sorted() },
      currentArgument: { $0.argumentDescription })
  }

  static let summary = """
    correlate: samples N architectures from the search space, scores each with the GTN proxy (k steps on the GTN's \
    curriculum) at one or more k, with real-data proxies at several step counts and with zero-cost proxies, trains each \
    longer on real data as ground truth (one or more seeds, none of them the proxies'), and reports Spearman and Kendall rank correlations (all \
    candidates and the top half by proxy) with 95% bootstrap intervals, and the real-data step count that ranks as \
    well as each GTN proxy; it writes every score and its seconds to correlate.csv, and a resumed study scores only \
    what its log lacks. search: runs random search or regularized evolution with the GTN (or real-data) \
    proxy under a budget (an architecture already scored is not scored again), trains the top candidates on real data, \
    picks the best on the validation split, retrains it from scratch with --final-seeds seeds, reports their test \
    accuracy (mean and spread), and prints one JSON summary line.
    """

  /// The help text.
  static var usage: String {
    CommandLineParser(options: commandLineOptions).helpText(
      program: "gtn-nas", arguments: "correlate|search --gtn DIR [options]", summary: summary, defaults: NASOptions())
  }

  /// Parses `arguments` (without the program name): the command, then its
  /// options; `nil` when they ask for help.
  static func parse(_ arguments: [String]) throws(UsageError) -> NASOptions? {
    guard let first = arguments.first else { throw UsageError(message: "expected a command, correlate or search (see --help)") }
    if first == "-h" || first == "--help" { return nil }
    guard let command = NASCommand(argument: first) else {
      throw UsageError(message: "unknown command '\(first)'; expected correlate or search")
    }
    var defaults = NASOptions()
    defaults.command = command
    guard case .run(let options) = try CommandLineParser(options: commandLineOptions).parse(Array(arguments.dropFirst()), defaults: defaults)
    else { return nil }
    try options.validate()
    return options
  }

  /// Checks what the table cannot: `--gtn` is given, cell operations are
  /// distinct.
  func validate() throws(UsageError) {
    guard gtn != nil else { throw UsageError(message: "--gtn DIR is required (the output folder of mnist-gtn, cifar-gtn or gtn train)") }
    guard Set(cellOperations).count == cellOperations.count else {
      throw UsageError(message: "--cell-operations expects distinct names, got '\(cellOperations.argumentDescription)'")
    }
  }
}
