// gtn-nas — architecture search with a trained GTN as the proxy.
//
//   gtn-nas correlate --gtn DIR [--architectures N] …   how well does the GTN proxy rank architectures?
//   gtn-nas search --gtn DIR [--proxy gtn|real] …       find a good architecture under a budget
//
// Both search the macro space (conv stacks) by default, or with --space cell the NASNet/ENAS-style
// cell space.
//
// DIR is an mnist-gtn output folder (its checkpoint.safetensors).
//
// Under `mpirun -np N` the architectures are scored on all ranks (search:
// dynamic work distribution; correlate: N architectures at a time); rank 0
// writes the logs and prints the summary.

import Foundation
import GTNDistributed
import GTNData
import GTNSearch
import _GTNExamplesSupport

#if canImport(Glibc)
import Glibc
#endif

BLASRuntime.reexecutingWithFastKernelIfNeeded()
AllocatorTuning.keepLargeAllocationsInHeap()

let usage = """
  USAGE: gtn-nas correlate --gtn DIR [options]
         gtn-nas search --gtn DIR [options]

  correlate: samples N architectures from the search space, scores each with the GTN proxy
  (k steps on the GTN's curriculum) and with real-data proxies at several step counts, trains each
  longer on real data as ground truth, and reports Spearman and Kendall rank correlations (all
  candidates and the top half by proxy) and the real-data step count that matches the GTN proxy.
  search: runs random search or regularized evolution with the GTN (or real-data) proxy under a
  budget, trains the top candidates on real data, and prints one JSON summary line.

  OPTIONS:
    --gtn DIR                 mnist-gtn output folder with checkpoint.safetensors (required)
    --space macro|cell        The search space (default: macro): conv stacks, or normal and
                              reduction cells stacked [normal × R, reduction] × 2 (its logs are named
                              cell-nNcCrR[-ops]-…; each configuration resumes only its own)
    --macro-head flatten|gap  macro: classifier head, flattened features or global average pooling
                              (default: flatten, as the GTN's learner; gap logs are named gap-…)
    --cell-nodes N            cell: nodes per cell (default: 4)
    --cell-channels C         cell: initial channels, doubled at each reduction (default: 16)
    --cell-repeats R          cell: normal cells before each reduction, ≥ 0 (default: 1)
    --cell-operations A,B,…   cell: the operation set (default: identity,conv1x1,sepconv3x3,
                              sepconv5x5,maxpool3x3,avgpool3x3; conv3x3 and conv5x5 also exist)
    --data-dir DIR            Dataset folder (else $GTN_DATA_DIR, else standard locations)
    --output DIR              Where the JSON Lines logs go (default: gtn-nas-output); runs resume from them
    --architectures N         correlate: how many architectures (default: 50)
    --gtn-steps K             SGD steps of the GTN proxy (default: 128)
    --real-steps K1,K2,...    correlate: real-data proxy step counts (default: 32,64,128,256,512)
    --truth-steps K           Real-data steps of the ground truth (default: 2000)
    --reuse-study LOG         correlate: take the architectures, real-data scores and ground truth
                              from an earlier study's log and score only the GTN proxy again (to
                              compare GTNs); give the same --seed and --real-steps as that study
    --proxy gtn|real          search: the proxy (default: gtn)
    --strategy random|evolution  search: the strategy (default: evolution)
    --budget-evaluations N    search: candidates to evaluate (default: 100)
    --budget-seconds S        search: evaluation seconds instead
    --top K                   search: candidates trained on real data at the end (default: 3)
    --seed S                  Seed (default: 1)
    --validation-count N      Held-out images the proxies score on (default: 2000)
    --threads N               Threads for the convolution kernels (default: 1)
    -h, --help                Show this help
  """

struct Options {
  var command = ""
  var gtn: String?
  var dataDirectory: String?
  var output = "gtn-nas-output"
  var architectures = 50
  var gtnSteps = 128
  var realSteps = [32, 64, 128, 256, 512]
  var truthSteps = 2000
  var proxy = "gtn"
  var strategy = "evolution"
  var budget = SearchBudget.evaluations(100)
  var top = 3
  var seed: UInt64 = 1
  var threads = 1
  var validationCount = 2000
  var space = "macro"
  var macroHead = MacroSearchSpace.Head.flatten
  var cellNodes = 4
  var cellChannels = 16
  var cellRepeats = 1
  var cellOperations = CellSearchSpace.defaultOperations
  var reusedStudy: String?
}

func fail(_ message: String, code: Int32 = 2) -> Never {
  FileHandle.standardError.write(Data("gtn-nas: \(message)\n".utf8))
  exit(code)
}

func parse() -> Options {
  var o = Options()
  var args = Array(CommandLine.arguments.dropFirst())
  if args.first == "-h" || args.first == "--help" || args.isEmpty {
    print(usage)
    exit(args.isEmpty ? 2 : 0)
  }
  o.command = args.removeFirst()
  guard ["correlate", "search"].contains(o.command) else { fail("unknown command '\(o.command)'; expected correlate or search") }
  while !args.isEmpty {
    let flag = args.removeFirst()
    func value() -> String {
      guard !args.isEmpty else { fail("\(flag) needs a value") }
      return args.removeFirst()
    }
    func integer() -> Int {
      let text = value()
      guard let n = Int(text), n >= 1 else { fail("\(flag) expects an integer ≥ 1, got '\(text)'") }
      return n
    }
    switch flag {
    case "--gtn": o.gtn = value()
    case "--data-dir": o.dataDirectory = value()
    case "--output": o.output = value()
    case "--architectures": o.architectures = integer()
    case "--gtn-steps": o.gtnSteps = integer()
    case "--real-steps":
      let text = value()
      let steps = text.split(separator: ",").compactMap { Int($0) }
      guard !steps.isEmpty, steps.allSatisfy({ $0 >= 1 }) else { fail("--real-steps expects positive integers like 32,64, got '\(text)'") }
      o.realSteps = steps.sorted()
    case "--truth-steps": o.truthSteps = integer()
    case "--reuse-study": o.reusedStudy = value()
    case "--proxy":
      o.proxy = value()
      guard ["gtn", "real"].contains(o.proxy) else { fail("--proxy expects gtn or real, got '\(o.proxy)'") }
    case "--strategy":
      o.strategy = value()
      guard ["random", "evolution"].contains(o.strategy) else { fail("--strategy expects random or evolution, got '\(o.strategy)'") }
    case "--budget-evaluations": o.budget = .evaluations(integer())
    case "--budget-seconds":
      let text = value()
      guard let s = Double(text), s > 0 else { fail("--budget-seconds expects a positive number, got '\(text)'") }
      o.budget = .seconds(s)
    case "--top": o.top = integer()
    case "--seed": o.seed = UInt64(integer())
    case "--threads": o.threads = integer()
    case "--validation-count": o.validationCount = integer()
    case "--space":
      o.space = value()
      guard ["macro", "cell"].contains(o.space) else { fail("--space expects macro or cell, got '\(o.space)'") }
    case "--macro-head":
      let text = value()
      guard let head = ["flatten": MacroSearchSpace.Head.flatten, "gap": .globalAveragePool][text] else {
        fail("--macro-head expects flatten or gap, got '\(text)'")
      }
      o.macroHead = head
    case "--cell-nodes": o.cellNodes = integer()
    case "--cell-channels": o.cellChannels = integer()
    case "--cell-repeats":
      let text = value()
      guard let n = Int(text), n >= 0 else { fail("--cell-repeats expects an integer ≥ 0, got '\(text)'") }
      o.cellRepeats = n
    case "--cell-operations":
      let text = value()
      let names = text.split(separator: ",", omittingEmptySubsequences: false)
      let operations = names.compactMap { CellOperation(rawValue: String($0)) }
      guard !names.isEmpty, operations.count == names.count, Set(operations).count == operations.count else {
        fail("--cell-operations expects distinct names from \(CellOperation.allCases.map(\.rawValue).joined(separator: ",")), got '\(text)'")
      }
      o.cellOperations = operations
    case "-h", "--help":
      print(usage)
      exit(0)
    default: fail("unknown argument '\(flag)' (see --help)")
    }
  }
  guard o.gtn != nil else { fail("--gtn DIR is required (an mnist-gtn output folder)") }
  return o
}

/// The trained GTN of an mnist-gtn output folder, with the data it was trained on.
func loadGTN(_ o: Options) throws -> (MetaTrainer, ExampleData) {
  let checkpoint = URL(fileURLWithPath: o.gtn!).appendingPathComponent("checkpoint.safetensors")
  let (_, metadata) = try Safetensors.read(from: checkpoint)
  var options = ExampleOptions(dataset: "mnist")
  if let json = metadata["gtn.example_options"] {
    options = try JSONDecoder().decode(ExampleOptions.self, from: Data(json.utf8))
  } else {
    FileHandle.standardError.write(Data("gtn-nas: \(checkpoint.path) does not record its options; assuming mnist-gtn's defaults\n".utf8))
    if metadata["gtn.dataset"] == "Fashion-MNIST" { options.dataset = "fashion-mnist" }
  }
  let directory = (o.dataDirectory ?? options.dataDirectory).map { URL(fileURLWithPath: $0, isDirectory: true) }
  let data = try ExampleData.mnistFamily(options.dataset, directory: directory)
  var trainer = try ExampleRunner(options: options, data: data).makeTrainer()
  try trainer.restoreCheckpoint(from: checkpoint)
  return (trainer, data)
}

func jsonLine(_ object: [String: Any]) -> String {
  String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// The ranks scoring architectures together (one without mpirun).
let communicator = MPICommunicator.launchedOrSingleProcess()

func log(_ message: String) {
  guard communicator.rank == 0 else { return }
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// One architecture's scores in a correlation study.
struct StudyRecord: Codable {
  var index: Int
  var encoding: String
  var gtnScore: Double
  var gtnSeconds: Double
  var realScores: [Int: Double]
  var realSeconds: [Int: Double]
  var truth: Double
  var truthSeconds: Double
  /// The zero-cost baseline (gradient norm at initialisation); absent in logs
  /// of older versions, filled in when the study is summarised.
  var zeroCost: Double?
}

/// A search space whose encodings parse back (both bundled spaces).
protocol DecodableSearchSpace: SearchSpace {
  func architecture(decoding text: String) -> Architecture?
}

extension MacroSearchSpace: DecodableSearchSpace {}
extension CellSearchSpace: DecodableSearchSpace {}

/// Runs `body` with the search space `--space` selects, sized for the data.
func withSearchSpace<R>(_ o: Options, data: ExampleData, _ body: (any DecodableSearchSpace) throws -> R) rethrows -> R {
  let shape = data.training.imageShape
  let classes = data.training.classNames.count
  if o.space == "cell" {
    guard shape[1] >= 4 else { fail("--space cell needs images of side ≥ 4, got \(shape)") }
    return try body(CellSearchSpace(
      nodeCount: o.cellNodes, operations: o.cellOperations, initialChannels: o.cellChannels, normalCellsPerStage: o.cellRepeats,
      inputChannels: shape[0], imageSize: shape[1], classCount: classes))
  }
  return try body(MacroSearchSpace(inputChannels: shape[0], imageSize: shape[1], classCount: classes, head: o.macroHead))
}

/// The log name for `base` in the selected space: macro logs keep their old
/// names; cell logs name the cell configuration, so runs of different
/// configurations never resume from each other's logs.
func logName(_ base: String, _ o: Options) -> String {
  if o.space == "macro" { return o.macroHead == .flatten ? base : "gap-" + base }
  let operations = o.cellOperations == CellSearchSpace.defaultOperations
    ? "" : "-" + o.cellOperations.map(\.rawValue).joined(separator: "+")
  return "cell-n\(o.cellNodes)c\(o.cellChannels)r\(o.cellRepeats)\(operations)-\(base)"
}

/// An earlier study's records with their architectures decoded, checked
/// against the options (same real-data step counts, records in order).
func reusableStudy<Space: DecodableSearchSpace>(
  _ path: String, space: Space, options o: Options
) throws -> [(record: StudyRecord, architecture: Space.Architecture)] {
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    fail("--reuse-study: cannot read '\(path)' (expected the correlate.jsonl of an earlier study)")
  }
  return try text.split(separator: "\n").enumerated().map { line, json in
    let record = try JSONDecoder().decode(StudyRecord.self, from: Data(json.utf8))
    guard record.index == line else { fail("--reuse-study: \(path) line \(line + 1) holds record \(record.index), expected \(line)") }
    guard record.realScores.keys.sorted() == o.realSteps else {
      fail("--reuse-study: \(path) has real-data step counts \(record.realScores.keys.sorted()), --real-steps gives \(o.realSteps)")
    }
    guard let architecture = space.architecture(decoding: record.encoding) else {
      fail("--reuse-study: \(path) line \(line + 1) has an architecture this search space cannot read: '\(record.encoding)'")
    }
    return (record, architecture)
  }
}

func correlate(_ o: Options) throws {
  let (trainer, data) = try loadGTN(o)
  try withSearchSpace(o, data: data) { space in try correlate(o, space: space, trainer: trainer, data: data) }
}

func correlate<Space: DecodableSearchSpace>(_ o: Options, space: Space, trainer: MetaTrainer, data: ExampleData) throws {
  let validation = data.validation.subset(0..<min(o.validationCount, data.validation.count))
  let gtnProxy = GTNProxy(trainer: trainer, steps: o.gtnSteps, validationImages: validation.images, validationLabels: validation.labels)
  func realProxy(_ steps: Int) -> RealDataProxy {
    RealDataProxy(images: data.training.images, labels: data.training.labels, steps: steps,
                  validationImages: validation.images, validationLabels: validation.labels)
  }
  let zeroCostBatch = data.training.subset(0..<128)
  let zeroCostProxy = GradientNormProxy(images: zeroCostBatch.images, labels: zeroCostBatch.labels)
  let truthProxy = RealDataProxy(
    images: data.training.images, labels: data.training.labels, steps: o.truthSteps,
    validationImages: data.test.images, validationLabels: data.test.labels)
  let logURL = URL(fileURLWithPath: o.output).appendingPathComponent(logName("correlate.jsonl", o))
  var records: [StudyRecord] = []
  var handle: FileHandle? = nil
  if communicator.rank == 0 {
    try FileManager.default.createDirectory(atPath: o.output, withIntermediateDirectories: true)
    if let text = try? String(contentsOf: logURL, encoding: .utf8) {
      records = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(StudyRecord.self, from: Data($0.utf8)) }
      if !records.isEmpty { log("resuming: \(records.count) architectures already scored in \(logURL.path)") }
    }
    if !FileManager.default.fileExists(atPath: logURL.path), !FileManager.default.createFile(atPath: logURL.path, contents: nil) {
      fail("cannot create \(logURL.path)", code: 1)
    }
    handle = try FileHandle(forWritingTo: logURL)
    try handle?.seekToEnd()
  }
  let start = Int(communicator.broadcast(UInt64(records.count)))
  let clock = ContinuousClock()
  func timed(_ body: () -> Double) -> (Double, Double) {
    var value = 0.0
    let d = clock.measure { value = body() }
    return (value, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
  }
  var rng = SplitMix64(seed: o.seed)
  var architectures = (0..<o.architectures).map { _ in space.sample(using: &rng) }
  // --reuse-study: the earlier study's architectures, real-data scores and
  // ground truth; only the GTN proxy is scored again.
  let reused = try o.reusedStudy.map { try reusableStudy($0, space: space, options: o) }
  if let reused {
    guard reused.count >= o.architectures else {
      fail("--reuse-study: \(o.reusedStudy!) holds \(reused.count) architectures, --architectures asks for \(o.architectures)")
    }
    architectures = reused.prefix(o.architectures).map(\.architecture)
  }
  // Architectures `chunk ..< chunk + ranks` are scored one per rank, then
  // rank 0 logs them in order.
  for chunk in stride(from: start, to: max(start, o.architectures), by: communicator.size) {
    var mine: [UInt8] = []
    let index = chunk + communicator.rank
    if index < o.architectures {
      let architecture = architectures[index]
      let learner = space.learner(for: architecture)
      let seed = o.seed &+ UInt64(index)
      let (gtnScore, gtnSeconds) = timed { gtnProxy.score(learner, seed: seed) }
      var realScores: [Int: Double] = [:]
      var realSeconds: [Int: Double] = [:]
      var truth = 0.0, truthSeconds = 0.0
      if let prior = reused?[index].record {
        (realScores, realSeconds, truth, truthSeconds) = (prior.realScores, prior.realSeconds, prior.truth, prior.truthSeconds)
      } else {
        for steps in o.realSteps {
          (realScores[steps], realSeconds[steps]) = timed { realProxy(steps).score(learner, seed: seed) }
        }
        (truth, truthSeconds) = timed { truthProxy.score(learner, seed: seed) }
      }
      let record = StudyRecord(
        index: index, encoding: space.encoding(of: architecture), gtnScore: gtnScore, gtnSeconds: gtnSeconds,
        realScores: realScores, realSeconds: realSeconds, truth: truth, truthSeconds: truthSeconds,
        zeroCost: zeroCostProxy.score(learner, seed: seed))
      mine = Array(try JSONEncoder().encode(record))
    }
    for root in 0..<communicator.size where chunk + root < o.architectures {
      let bytes = communicator.broadcast(bytes: mine, root: root)
      guard communicator.rank == 0 else { continue }
      let record = try JSONDecoder().decode(StudyRecord.self, from: Data(bytes))
      records.append(record)
      var line = Data(bytes)
      line.append(0x0A)
      try handle?.write(contentsOf: line)
      log(String(format: "%d/%d %@  GTN %.3f (%.1fs)  real@%d %.3f  truth %.3f (%.1fs)", record.index + 1, o.architectures,
                 record.encoding, record.gtnScore, record.gtnSeconds, o.realSteps.last!, record.realScores[o.realSteps.last!]!,
                 record.truth, record.truthSeconds))
    }
  }
  try handle?.close()
  guard communicator.rank == 0 else { return }
  for i in records.indices where records[i].zeroCost == nil {
    guard let architecture = space.architecture(decoding: records[i].encoding) else {
      fail("\(logURL.path): record \(i) has an unreadable architecture '\(records[i].encoding)'", code: 1)
    }
    records[i].zeroCost = zeroCostProxy.score(space.learner(for: architecture), seed: o.seed &+ UInt64(i))
  }

  let truth = records.map(\.truth)
  func correlations(_ proxy: [Double]) -> [String: Any] {
    let top = RankCorrelation.topIndices(of: proxy, fraction: 0.5)
    return [
      "spearman": RankCorrelation.spearman(proxy, truth) ?? NSNull(),
      "kendall_tau_b": RankCorrelation.kendallTauB(proxy, truth) ?? NSNull(),
      "spearman_top50": RankCorrelation.spearman(top.map { proxy[$0] }, top.map { truth[$0] }) ?? NSNull(),
      "kendall_tau_b_top50": RankCorrelation.kendallTauB(top.map { proxy[$0] }, top.map { truth[$0] }) ?? NSNull(),
    ]
  }
  let gtn = correlations(records.map(\.gtnScore))
  var real: [String: Any] = [:]
  var matching: Int? = nil
  let gtnTop = gtn["spearman_top50"] as? Double ?? -2
  for steps in o.realSteps {
    let c = correlations(records.map { $0.realScores[steps] ?? 0 })
    real[String(steps)] = c
    if matching == nil, let s = c["spearman_top50"] as? Double, s >= gtnTop { matching = steps }
  }
  let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(Swift.max(xs.count, 1)) }
  print(jsonLine([
    "command": "correlate", "space": o.space, "architectures": records.count, "gtn_steps": o.gtnSteps, "truth_steps": o.truthSteps,
    "gtn": gtn, "real": real, "zero_cost_gradient_norm": correlations(records.map { $0.zeroCost ?? 0 }), "real_steps_matching_gtn_top50_spearman": matching ?? NSNull(),
    "mean_seconds_gtn_proxy": mean(records.map(\.gtnSeconds)),
    "mean_seconds_real_proxy": Dictionary(uniqueKeysWithValues: o.realSteps.map { s in (String(s), mean(records.map { $0.realSeconds[s] ?? 0 })) }),
    "log": logURL.path,
  ]))
}

func search(_ o: Options) throws {
  let (trainer, data) = try loadGTN(o)
  try withSearchSpace(o, data: data) { space in try search(o, space: space, trainer: trainer, data: data) }
}

func search<Space: DecodableSearchSpace>(_ o: Options, space: Space, trainer: MetaTrainer, data: ExampleData) throws {
  let validation = data.validation.subset(0..<min(o.validationCount, data.validation.count))
  let evaluator: any ArchitectureEvaluator = o.proxy == "gtn"
    ? GTNProxy(trainer: trainer, steps: o.gtnSteps, validationImages: validation.images, validationLabels: validation.labels)
    : RealDataProxy(images: data.training.images, labels: data.training.labels, steps: o.realSteps.first ?? 128,
                    validationImages: validation.images, validationLabels: validation.labels)
  if communicator.rank == 0 { try FileManager.default.createDirectory(atPath: o.output, withIntermediateDirectories: true) }
  let logURL = URL(fileURLWithPath: o.output).appendingPathComponent(logName("search-\(o.proxy)-\(o.strategy).jsonl", o))
  let records: [SearchRecord<Space.Architecture>]
  let progress: (SearchRecord<Space.Architecture>) -> Void = { r in
    log(String(format: "%d %@  score %.3f  (%.1fs)", r.index + 1, r.encoding, r.score, r.seconds))
  }
  if o.strategy == "random" {
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<Space>(), evaluator: evaluator, seed: o.seed)
    records = try DistributedSearch(search: search, communicator: communicator).run(budget: o.budget, log: logURL, progress: progress)
  } else {
    let search = ArchitectureSearch(space: space, strategy: RegularizedEvolution<Space>(), evaluator: evaluator, seed: o.seed)
    records = try DistributedSearch(search: search, communicator: communicator).run(budget: o.budget, log: logURL, progress: progress)
  }
  // Train the best distinct candidates on real data and pick by test accuracy.
  var seen = Set<String>()
  let top = records.sorted { $0.score > $1.score }.filter { seen.insert($0.encoding).inserted }.prefix(o.top)
  let truth = RealDataProxy(
    images: data.training.images, labels: data.training.labels, steps: o.truthSteps,
    validationImages: data.test.images, validationLabels: data.test.labels)
  // Finalist k is trained on rank k mod N; one all-reduce collects them.
  var accuracies = [Double](repeating: 0, count: top.count)
  for (k, r) in top.enumerated() where k % communicator.size == communicator.rank {
    accuracies[k] = truth.score(space.learner(for: r.architecture), seed: o.seed)
  }
  communicator.allreduceSum(&accuracies)
  guard communicator.rank == 0 else { return }
  let finals = Array(zip(top, accuracies))
  let best = finals.max { $0.1 < $1.1 }!
  print(jsonLine([
    "command": "search", "space": o.space, "proxy": o.proxy, "strategy": o.strategy, "evaluations": records.count,
    "search_seconds": records.reduce(0) { $0 + $1.seconds }, "best_architecture": best.0.encoding,
    "best_proxy_score": best.0.score, "best_test_accuracy": best.1, "truth_steps": o.truthSteps,
    "finalists": finals.map { ["architecture": $0.0.encoding, "proxy_score": $0.0.score, "test_accuracy": $0.1] as [String: Any] },
    "log": logURL.path,
  ]))
}

let options = parse()
BLASRuntime.threadCount = 1
do {
  try withParallelism(threads: options.threads) {
    if options.command == "correlate" { try correlate(options) } else { try search(options) }
  }
} catch {
  fail("\(error)", code: 1)
}
