// gtn-nas — architecture search with a trained GTN as the proxy.
//
//   gtn-nas correlate --gtn DIR [--architectures N] …   how well does the GTN proxy rank architectures?
//   gtn-nas search --gtn DIR [--proxy gtn|real] …       find a good architecture under a budget
//
// Both search the macro space (conv stacks) by default, or with --space cell the NASNet/ENAS-style
// cell space.
//
// DIR is the output folder of a GTN run (mnist-gtn, cifar-gtn, gtn train) with its checkpoint.safetensors.
//
// Under `mpirun -np N` the architectures are scored on all ranks (search:
// dynamic work distribution; correlate: N architectures at a time); rank 0
// writes the logs and prints the summary.

import Foundation
import GTNData
import GTNDistributed
import GTNSearch
import _GTNExamplesSupport

#if canImport(Glibc)
import Glibc
#endif

BLASRuntime.reexecutingWithFastKernelIfNeeded()
AllocatorTuning.keepLargeAllocationsInHeap()

func fail(_ message: String, code: Int32 = 2) -> Never {
  FileHandle.standardError.write(Data("gtn-nas: \(message)\n".utf8))
  exit(code)
}

/// The command line, parsed; exits with the help text or a usage error.
func parseCommandLine() -> NASOptions {
  let arguments = Array(CommandLine.arguments.dropFirst())
  do {
    guard let options = try NASOptions.parse(arguments) else {
      print(NASOptions.usage)
      exit(0)
    }
    return options
  } catch {
    if arguments.isEmpty { print(NASOptions.usage) }
    fail(error.message)
  }
}

/// A GTN to score architectures with: the trainer restored from a run's
/// checkpoint, the data it was trained on, and the encodings of the
/// architectures it was meta-trained on (`--learner macro:ENC,…`,
/// `macro:N`, `cell:N`; `nil` for a named learner).
struct TrainedGTN {
  var trainer: MetaTrainer
  var data: ExampleData
  var metaTrainingEncodings: Set<String>?

  /// How many of `encodings` the GTN was meta-trained on (`nil` when it was
  /// meta-trained on a named learner): candidates it has seen score
  /// higher than they would on a GTN that never met them.
  func seen(_ encodings: [String]) -> Int? { metaTrainingEncodings.map { trained in encodings.filter(trained.contains).count } }
}

/// The trained GTN of a run's output folder, with the data it was trained on.
func loadGTN(_ o: NASOptions) throws -> TrainedGTN {
  guard let folder = o.gtn else { fail("--gtn DIR is required (the output folder of mnist-gtn, cifar-gtn or gtn train)") }
  let checkpoint = URL(fileURLWithPath: folder).appendingPathComponent("checkpoint.safetensors")
  if let problem = fileProblem(checkpoint.path) { fail("--gtn \(folder): \(checkpoint.path): \(problem)", code: 1) }
  let (_, metadata) = try Safetensors.read(from: checkpoint)
  var options = ExampleOptions(dataset: .mnist)
  if let json = metadata["gtn.example_options"] {
    options = try JSONDecoder().decode(ExampleOptions.self, from: Data(json.utf8))
  } else {
    FileHandle.standardError.write(Data("gtn-nas: \(checkpoint.path) does not record its options; assuming mnist-gtn's defaults\n".utf8))
    if metadata["gtn.dataset"] == "Fashion-MNIST" { options.dataset = .fashionMNIST }
  }
  let directory = (o.dataDirectory ?? options.dataDirectory).map { URL(fileURLWithPath: $0, isDirectory: true) }
  let data = try ExampleData.load(
    options.dataset, directory: directory, validationCount: options.validationCount, imagesTensor: options.imagesTensor,
    labelsTensor: options.labelsTensor)
  let shape = data.training.imageShape
  guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
    fail("\(data.trainingSource): the images have shape \(shape) (channels, height, width); every side must be at least 1", code: 1)
  }
  guard data.test.count > 0, data.test.imageShape == shape else {
    fail("\(data.testSource): the test split has \(data.test.count) images of shape \(data.test.imageShape); the training images are \(shape)", code: 1)
  }
  let runner = ExampleRunner(options: options, data: data)
  var trainer = try runner.makeTrainer()
  // Refuses non-finite parameters, naming the tensor: a proxy trained on
  // NaN data would score every architecture alike.
  do { try trainer.restoreCheckpoint(from: checkpoint) } catch { fail("--gtn \(folder): \(error)", code: 1) }
  // The real-data proxies train on batches of 128 drawn without repeats.
  guard data.training.count >= 128 else {
    fail("\(data.trainingSource): the training split has \(data.training.count) images (after holding out the validation "
           + "split, \(data.validation.count) images); the real-data proxies need at least 128", code: 1)
  }
  var encodings: Set<String>? = nil
  if case .macro(let listed) = options.learner { encodings = Set(listed) }
  if let drawn = try runner.drawnArchitectures() { encodings = Set(drawn.encodings) }
  return TrainedGTN(trainer: trainer, data: data, metaTrainingEncodings: encodings)
}

func jsonLine(_ object: [String: Any]) throws -> String {
  String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// The ranks scoring architectures together (one without mpirun).
let communicator = MPICommunicator.launchedOrSingleProcess()

func log(_ message: String) {
  guard communicator.rank == 0 else { return }
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A search space whose encodings parse back (both bundled spaces).
protocol DecodableSearchSpace: SearchSpace {
  func architecture(decoding text: String) -> Architecture?
}

extension MacroSearchSpace: DecodableSearchSpace {}
extension CellSearchSpace: DecodableSearchSpace {}

/// Runs `body` with the search space `--space` selects, sized for the data.
func withSearchSpace<R>(_ o: NASOptions, data: ExampleData, _ body: (any DecodableSearchSpace) throws -> R) rethrows -> R {
  let shape = data.training.imageShape
  let classes = data.training.classNames.count
  if o.space == .cell {
    guard shape[1] >= 4 else { fail("--space cell needs images of side ≥ 4, got \(shape)") }
    return try body(CellSearchSpace(
      nodeCount: o.cellNodes, operations: o.cellOperations, initialChannels: o.cellChannels, normalCellsPerStage: o.cellRepeats,
      inputChannels: shape[0], imageSize: shape[1], classCount: classes))
  }
  return try body(MacroSearchSpace(inputChannels: shape[0], imageSize: shape[1], classCount: classes, head: o.macroHead.head))
}

/// The log name for `base` in the selected space: macro logs keep their old
/// names; cell logs name the cell configuration, so runs of different
/// configurations never resume from each other's logs.
func logName(_ base: String, _ o: NASOptions) -> String {
  if o.space == .macro { return o.macroHead == .flatten ? base : "gap-" + base }
  let operations = o.cellOperations == CellSearchSpace.defaultOperations
    ? "" : "-" + o.cellOperations.map(\.rawValue).joined(separator: "+")
  return "cell-n\(o.cellNodes)c\(o.cellChannels)r\(o.cellRepeats)\(operations)-\(base)"
}

/// An earlier study's records with their architectures decoded, checked
/// against the options (same real-data step counts, records in order).
func reusableStudy<Space: DecodableSearchSpace>(
  _ path: String, space: Space, options o: NASOptions
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

/// The output folder, locked for this process (rank 0; `nil` elsewhere).
func lockOutputFolder(_ o: NASOptions) throws -> OutputFolder? {
  communicator.rank == 0 ? try OutputFolder(URL(fileURLWithPath: o.output, isDirectory: true)) : nil
}

func correlate(_ o: NASOptions) throws {
  let gtn = try loadGTN(o)
  let folder = try lockOutputFolder(o)
  defer { folder?.release(removingCreatedFolders: false) }
  try withSearchSpace(o, data: gtn.data) { space in try correlate(o, space: space, gtn: gtn) }
}

func correlate<Space: DecodableSearchSpace>(_ o: NASOptions, space: Space, gtn: TrainedGTN) throws {
  var study = CorrelationStudy(options: o, space: space, trainer: gtn.trainer, data: gtn.data)
  let logURL = URL(fileURLWithPath: o.output).appendingPathComponent(logName("correlate.jsonl", o))
  var (records, handle) = try study.openLog(logURL)
  let architectures = try study.architectures()
  let start = Int(communicator.broadcast(UInt64(records.count)))
  // Architectures `chunk ..< chunk + ranks` are scored one per rank, then
  // rank 0 logs them in order.
  for chunk in stride(from: start, to: max(start, o.architectures), by: communicator.size) {
    let index = chunk + communicator.rank
    let mine = index < o.architectures ? Array(try JSONEncoder().encode(study.score(architectures, at: index))) : []
    for root in 0..<communicator.size where chunk + root < o.architectures {
      let bytes = communicator.broadcast(bytes: mine, root: root)
      guard communicator.rank == 0 else { continue }
      records.append(try study.append(bytes, to: handle))
    }
  }
  try handle?.close()
  guard communicator.rank == 0 else { return }
  // Records of an earlier run with fewer proxies, step counts or seeds:
  // score what they lack, rewriting the log after each.
  let studied = Array(records.prefix(o.architectures))
  records = try study.complete(studied, log: logURL)
  let tableURL = URL(fileURLWithPath: o.output).appendingPathComponent(logName("correlate.csv", o))
  try writeAtomically(study.table(records), to: tableURL)
  var plotPaths: [String] = []
  for plot in study.rankPlots(records) {
    let url = URL(fileURLWithPath: o.output).appendingPathComponent(logName("scatter-\(plot.name).svg", o))
    try writeAtomically(plot.svg, to: url)
    plotPaths.append(url.path)
  }
  var summary = study.summary(records, log: logURL, table: tableURL)
  summary["rank_plots"] = plotPaths
  let atChance = study.candidatesAtChance(records)
  summary["candidates_at_chance"] = atChance
  if let seen = gtn.seen(records.map(\.encoding)) { summary["candidates_seen_in_meta_training"] = seen }
  for k in o.gtnSteps {
    warnAboutCandidatesAtChance(atChance["gtn_k\(k)"] ?? 0, of: records.count, steps: k, threshold: study.chanceThreshold, space: o.space)
  }
  print(try jsonLine(summary))
}

/// The accuracy at or below which a candidate counts as having learned
/// nothing: 1.5 times chance (15% with ten classes).
func chanceThreshold(classCount: Int) -> Double { 1.5 / Double(classCount) }

/// Warns when more than a tenth of `total` candidates scored at chance
/// (`count` of them) after `steps` steps on a GTN's data.
func warnAboutCandidatesAtChance(_ count: Int, of total: Int, steps: Int, threshold: Double, space: SearchSpaceKind) {
  guard count * 10 > total else { return }
  let width = space == .cell ? " and --learner-width set to --cell-channels" : ""
  let how = " (mnist-gtn, cifar-gtn or gtn train --learner \(space.rawValue):16\(width))"
  log("warning: \(count) of \(total) candidates score at chance (≤ \(Int((threshold * 100).rounded()))%) after \(steps) steps "
      + "on the GTN's data: their training on it diverged or learned nothing, so the GTN proxy cannot rank them. A GTN "
      + "meta-trained for one learner often fits only that learner; meta-train it over architectures of this search space"
      + how + " and score again.")
}

/// A correlation study: how well GTN proxies, real-data proxies and
/// zero-cost proxies rank architectures against longer real-data training.
struct CorrelationStudy<Space: DecodableSearchSpace> {
  var options: NASOptions
  var space: Space
  var gtnProxies: [Int: GTNProxy]
  var realProxies: [Int: RealDataProxy]
  var zeroCostProxy: GradientNormProxy
  var synflowProxy: SynFlowProxy
  var jacobianCovarianceProxy: JacobianCovarianceProxy
  var truthProxy: RealDataProxy
  /// With `--reuse-study`: the earlier study's records and architectures.
  var reused: [(record: StudyRecord, architecture: Space.Architecture)]?
  /// The number of classes of the data.
  var classCount: Int

  /// The accuracy at or below which a candidate counts as having learned
  /// nothing.
  var chanceThreshold: Double { gtn_nas.chanceThreshold(classCount: classCount) }

  init(options o: NASOptions, space: Space, trainer: MetaTrainer, data: ExampleData) {
    options = o
    self.space = space
    classCount = data.training.classNames.count
    let validation = data.validation.subset(0..<min(o.validationCount, data.validation.count))
    let synthetic = trainer.syntheticData()
    gtnProxies = Dictionary(uniqueKeysWithValues: o.gtnSteps.map { steps in
      (steps, GTNProxy(data: synthetic, steps: steps, validationImages: validation.images, validationLabels: validation.labels))
    })
    realProxies = Dictionary(uniqueKeysWithValues: o.realSteps.map { steps in
      (steps, RealDataProxy(images: data.training.images, labels: data.training.labels, steps: steps,
                            validationImages: validation.images, validationLabels: validation.labels))
    })
    let zeroCostBatch = data.training.subset(0..<min(128, data.training.count))
    zeroCostProxy = GradientNormProxy(images: zeroCostBatch.images, labels: zeroCostBatch.labels)
    synflowProxy = SynFlowProxy(imageShape: data.training.imageShape)
    jacobianCovarianceProxy = JacobianCovarianceProxy(images: zeroCostBatch.images)
    truthProxy = RealDataProxy(
      images: data.training.images, labels: data.training.labels, steps: o.truthSteps,
      validationImages: data.test.images, validationLabels: data.test.labels)
  }

  /// On rank 0: the records already in the log (to resume from) and the log
  /// opened for appending; elsewhere nothing.
  func openLog(_ url: URL) throws -> ([StudyRecord], FileHandle?) {
    guard communicator.rank == 0 else { return ([], nil) }
    try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
    var records: [StudyRecord] = []
    if let text = try? String(contentsOf: url, encoding: .utf8) {
      records = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(StudyRecord.self, from: Data($0.utf8)) }
      if !records.isEmpty { log("resuming: \(records.count) architectures already scored in \(url.path)") }
      records = independentTruths(records, in: url.path)
    }
    if !FileManager.default.fileExists(atPath: url.path), !FileManager.default.createFile(atPath: url.path, contents: nil) {
      fail("cannot create \(url.path)", code: 1)
    }
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    return (records, handle)
  }

  /// `records` with ground truths independent of their proxies, saying how
  /// many of them (from a log written before ground truths had seeds of
  /// their own) set a ground truth aside.
  func independentTruths(_ records: [StudyRecord], in path: String) -> [StudyRecord] {
    let legacy = records.filter { $0.truthSeeds == nil }.count
    if legacy > 0 {
      log("\(path): \(legacy) records trained their first ground truth from the proxies' own seed (initialisation and "
          + "real-data batches); it is kept as truthSharingProxySeed and not ranked against, and the ground truths still "
          + "missing for --truth-seeds \(options.truthSeeds) are trained from seeds of their own")
    }
    return records.map(withIndependentTruths)
  }

  /// The architectures to score: sampled with the seed, or with
  /// `--reuse-study` the earlier study's.
  mutating func architectures() throws -> [Space.Architecture] {
    if let path = options.reusedStudy {
      let reused = try reusableStudy(path, space: space, options: options)
      guard reused.count >= options.architectures else {
        fail("--reuse-study: \(path) holds \(reused.count) architectures, --architectures asks for \(options.architectures)")
      }
      let records = independentTruths(reused.map(\.record), in: path)
      self.reused = zip(records, reused).map { ($0, $1.architecture) }
      return reused.prefix(options.architectures).map(\.architecture)
    }
    var rng = SplitMix64(seed: options.seed)
    return (0..<options.architectures).map { _ in space.sample(using: &rng) }
  }

  /// The seed of architecture `index`'s proxies: each starts from the
  /// same initialisation, so that they are compared on equal terms.
  func seed(of index: Int) -> UInt64 { options.seed &+ UInt64(index) }

  /// The seed of ground-truth training `run` of architecture `index` (0 for
  /// the first): never the proxies' seed, so that no proxy shares its
  /// initialisation or batches with the training it is ranked against.
  func truthSeed(of index: Int, run: Int) -> UInt64 {
    SplitMix64.seed(seed(of: index), stream: UInt64(run + 1))
  }

  /// `record` with ground truths independent of its proxies (see
  /// ``StudyRecord/withIndependentTruths(seed:)``).
  func withIndependentTruths(_ record: StudyRecord) -> StudyRecord {
    record.withIndependentTruths { truthSeed(of: record.index, run: $0) }
  }

  /// Scores architecture `index` with every proxy and its ground truth
  /// (with `--reuse-study` only the GTN and zero-cost proxies; the real-data
  /// scores and ground truth are the earlier study's).
  func score(_ architectures: [Space.Architecture], at index: Int) -> StudyRecord {
    var record = StudyRecord(
      index: index, encoding: space.encoding(of: architectures[index]), realScores: [:], realSeconds: [:], truth: 0, truthSeconds: -1)
    if let prior = reused?[index].record {
      (record.realScores, record.realSeconds) = (prior.realScores, prior.realSeconds)
      (record.truth, record.truthSeconds, record.moreTruths, record.moreTruthSeconds, record.truthSeeds) =
        (prior.truth, prior.truthSeconds, prior.moreTruths, prior.moreTruthSeconds, prior.truthSeeds)
      (record.truthSharingProxySeed, record.truthSharingProxySeedSeconds) = (prior.truthSharingProxySeed, prior.truthSharingProxySeedSeconds)
    }
    _ = scoreMissing(&record, learner: space.learner(for: architectures[index]))
    return record
  }

  /// Scores what `record` lacks of the options' proxies, step counts and
  /// ground-truth seeds; `true` when it scored anything.
  func scoreMissing(_ record: inout StudyRecord, learner: any Learner) -> Bool {
    let seed = seed(of: record.index)
    var scored = false
    var gtnScores = record.gtnScores ?? [:], gtnSeconds = record.gtnSecondsBySteps ?? [:]
    for steps in options.gtnSteps where gtnScores[steps] == nil {
      guard let proxy = gtnProxies[steps] else { continue }
      (gtnScores[steps], gtnSeconds[steps]) = timed { proxy.score(learner, seed: seed) }
      scored = true
    }
    (record.gtnScores, record.gtnSecondsBySteps) = (gtnScores, gtnSeconds)
    for steps in options.realSteps where record.realScores[steps] == nil {
      guard let proxy = realProxies[steps] else { continue }
      (record.realScores[steps], record.realSeconds[steps]) = timed { proxy.score(learner, seed: seed) }
      scored = true
    }
    if record.truthSeconds < 0 {
      (record.truth, record.truthSeconds) = timed { truthProxy.score(learner, seed: truthSeed(of: record.index, run: 0)) }
      scored = true
    }
    var moreTruths = record.moreTruths ?? [], moreSeconds = record.moreTruthSeconds ?? []
    while moreTruths.count + 1 < options.truthSeeds {
      let (truth, seconds) = timed { truthProxy.score(learner, seed: truthSeed(of: record.index, run: moreTruths.count + 1)) }
      moreTruths.append(truth)
      moreSeconds.append(seconds)
      scored = true
    }
    if !moreTruths.isEmpty { (record.moreTruths, record.moreTruthSeconds) = (moreTruths, moreSeconds) }
    record.truthSeeds = record.truths.indices.map { truthSeed(of: record.index, run: $0) }
    var seconds = record.zeroCostSeconds ?? [:]
    if record.zeroCost == nil { (record.zeroCost, seconds["gradient_norm"]) = timed { zeroCostProxy.score(learner, seed: seed) } }
    if record.synflow == nil { (record.synflow, seconds["synflow"]) = timed { synflowProxy.score(learner, seed: seed) } }
    if record.jacobianCovariance == nil {
      (record.jacobianCovariance, seconds["jacob_cov"]) = timed { jacobianCovarianceProxy.score(learner, seed: seed) }
    }
    scored = scored || seconds != (record.zeroCostSeconds ?? [:])
    record.zeroCostSeconds = seconds
    return scored
  }

  /// Decodes a record a rank sent, appends it to the log and reports it.
  func append(_ bytes: [UInt8], to handle: FileHandle?) throws -> StudyRecord {
    let record = try JSONDecoder().decode(StudyRecord.self, from: Data(bytes))
    var line = Data(bytes)
    line.append(0x0A)
    try handle?.write(contentsOf: line)
    report(record)
    return record
  }

  /// One progress line for `record`.
  func report(_ record: StudyRecord) {
    let gtn = options.gtnSteps.last ?? 0, real = options.realSteps.last ?? 0
    log(String(format: "%d/%d %@  GTN@%d %.3f (%.1fs)  real@%d %.3f  truth %.3f (%.1fs)", record.index + 1, options.architectures,
               record.encoding, gtn, record.gtnScores?[gtn] ?? .nan, record.gtnSecondsBySteps?[gtn] ?? .nan, real,
               record.realScores[real] ?? .nan, record.truth, record.truthSeconds))
  }

  /// `records` with what each lacks scored; after each record that changed,
  /// the log is rewritten (atomically), so an interrupted study resumes
  /// where it stopped.
  func complete(_ records: [StudyRecord], log url: URL) throws -> [StudyRecord] {
    var records = records
    for i in records.indices {
      guard let architecture = space.architecture(decoding: records[i].encoding) else {
        fail("\(url.path): record \(i) has an unreadable architecture '\(records[i].encoding)'", code: 1)
      }
      var taken = false
      if let prior = reused?[i].record, (prior.truthSeeds?.count ?? 0) > (records[i].truthSeeds?.count ?? 0) {
        // Ground truths the reused study has trained since this log took its own.
        (records[i].truth, records[i].truthSeconds, records[i].moreTruths, records[i].moreTruthSeconds, records[i].truthSeeds) =
          (prior.truth, prior.truthSeconds, prior.moreTruths, prior.moreTruthSeconds, prior.truthSeeds)
        taken = true
      }
      guard scoreMissing(&records[i], learner: space.learner(for: architecture)) || taken else { continue }
      report(records[i])
      let lines = try records.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) + "\n" }
      try writeAtomically(lines.joined(), to: url)
    }
    return records
  }

  /// Every proxy's name (`gtn_k128`, `real_k512`, `synflow`, …), scores and
  /// seconds, in the table's order.
  func proxies(_ records: [StudyRecord]) -> [(name: String, scores: [Double], seconds: [Double])] {
    options.gtnSteps.map { k in ("gtn_k\(k)", records.map { $0.gtnScores?[k] ?? .nan }, records.map { $0.gtnSecondsBySteps?[k] ?? .nan }) }
      + options.realSteps.map { k in ("real_k\(k)", records.map { $0.realScores[k] ?? .nan }, records.map { $0.realSeconds[k] ?? .nan }) }
      + [("gradient_norm", \StudyRecord.zeroCost), ("synflow", \.synflow), ("jacob_cov", \.jacobianCovariance)].map { name, score in
        (name, records.map { $0[keyPath: score] ?? .nan }, records.map { $0.zeroCostSeconds?[name] ?? .nan })
      }
  }

  /// For each accuracy proxy (GTN and real data), how many candidates it
  /// scored at chance (at most ``chanceThreshold``): their training diverged
  /// or learned nothing, so the proxy cannot rank them.
  func candidatesAtChance(_ records: [StudyRecord]) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: proxies(records).filter { $0.name.hasPrefix("gtn_k") || $0.name.hasPrefix("real_k") }.map { proxy in
      (proxy.name, proxy.scores.filter { $0 <= chanceThreshold }.count)
    })
  }

  /// One rank scatter per proxy scored for every architecture: each
  /// architecture's rank by the proxy against its rank by the ground truth
  /// (1 = best, ties sharing the mean rank), the top half by proxy (the
  /// part a search acts on) in its own colour; a perfect proxy's points lie
  /// on the diagonal. The title gives Spearman's ρ over all and over the top
  /// half.
  func rankPlots(_ records: [StudyRecord]) -> [(name: String, svg: String)] {
    guard records.count >= 2 else { return [] }
    let truth = records.map(meanTruth)
    let count = Double(records.count)
    let truthRanks = RankCorrelation.ranks(truth).map { count + 1 - $0 }
    func text(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "n/a" }
    return proxies(records).compactMap { proxy in
      guard !proxy.scores.contains(where: \.isNaN) else { return nil }
      let proxyRanks = RankCorrelation.ranks(proxy.scores).map { count + 1 - $0 }
      let top = Set(RankCorrelation.topIndices(of: proxy.scores, fraction: 0.5))
      var plot = ScatterPlot(
        title: "\(proxy.name): Spearman \(text(RankCorrelation.spearman(proxy.scores, truth))), "
          + "top half \(text(RankCorrelation.topHalfSpearman(proxy.scores, truth)))",
        xLabel: "rank by ground truth (1 = best)", yLabel: "rank by \(proxy.name) (1 = best)", showsDiagonal: true)
      plot.add(series: "top half by proxy", points: records.indices.filter(top.contains).map { (truthRanks[$0], proxyRanks[$0]) })
      plot.add(series: "bottom half", points: records.indices.filter { !top.contains($0) }.map { (truthRanks[$0], proxyRanks[$0]) })
      return (proxy.name, plot.svg())
    }
  }

  /// The ground truth every proxy is ranked against: the mean over the
  /// `--truth-seeds` seeds.
  func meanTruth(_ record: StudyRecord) -> Double {
    let truths = record.truths.prefix(options.truthSeeds)
    return truths.reduce(0, +) / Double(truths.count)
  }

  /// The study as CSV, one row per architecture: `architecture`,
  /// `ground_truth_seedN` and `ground_truth_seedN_seconds` for each seed,
  /// then each proxy's score and `…_seconds`.
  func table(_ records: [StudyRecord]) -> String {
    let seeds = 1...options.truthSeeds
    let proxies = proxies(records)
    var lines = [(["architecture"] + seeds.map { "ground_truth_seed\($0)" } + seeds.map { "ground_truth_seed\($0)_seconds" }
      + proxies.flatMap { [$0.name, $0.name + "_seconds"] }).joined(separator: ",")]
    for (row, record) in records.enumerated() {
      let truths = record.truths, seconds = record.truthSecondsBySeed
      let fields = [csvField(record.encoding)] + seeds.map { "\(truths[$0 - 1])" } + seeds.map { "\(seconds[$0 - 1])" }
        + proxies.flatMap { ["\($0.scores[row])", "\($0.seconds[row])"] }
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The study's summary line: rank correlations of every proxy with the
  /// ground truth (with 95% bootstrap intervals), the agreement of two
  /// ground-truth seeds, the real-data steps that rank as well as each GTN
  /// proxy, and the proxies' mean cost.
  func summary(_ records: [StudyRecord], log url: URL, table: URL) -> [String: Any] {
    let truth = records.map(meanTruth)
    var rng = SplitMix64(seed: options.seed)
    let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(Swift.max(xs.count, 1)) }
    var correlation: [String: [String: Any]] = [:]
    var seconds: [String: Double] = [:]
    for proxy in proxies(records) {
      correlation[proxy.name] = correlations(proxy.scores, truth, using: &rng)
      seconds[proxy.name] = mean(proxy.seconds)
    }
    func top50(_ name: String) -> Double { correlation[name]?["spearman_top50"] as? Double ?? -2 }
    let equivalence = Dictionary(uniqueKeysWithValues: options.gtnSteps.map { k -> (String, Any) in
      let matching = options.realSteps.first { top50("real_k\($0)") >= top50("gtn_k\(k)") }
      return (String(k), ["real_steps": matching ?? NSNull(), "ratio": matching.map { Double($0) / Double(k) } ?? NSNull()] as [String: Any])
    })
    var summary: [String: Any] = [
      "command": "correlate", "space": options.space.rawValue, "architectures": records.count, "gtn_steps": options.gtnSteps,
      "truth_steps": options.truthSteps, "truth_seeds": options.truthSeeds,
      "gtn": Dictionary(uniqueKeysWithValues: options.gtnSteps.map { (String($0), correlation["gtn_k\($0)"]!) }),
      "real": Dictionary(uniqueKeysWithValues: options.realSteps.map { (String($0), correlation["real_k\($0)"]!) }),
      "zero_cost_gradient_norm": correlation["gradient_norm"]!, "zero_cost_synflow": correlation["synflow"]!,
      "zero_cost_jacob_cov": correlation["jacob_cov"]!,
      "mean_seconds_gtn_proxy": Dictionary(uniqueKeysWithValues: options.gtnSteps.map { (String($0), seconds["gtn_k\($0)"]!) }),
      "mean_seconds_real_proxy": Dictionary(uniqueKeysWithValues: options.realSteps.map { (String($0), seconds["real_k\($0)"]!) }),
      "mean_seconds_zero_cost": Dictionary(uniqueKeysWithValues: ["gradient_norm", "synflow", "jacob_cov"].map { ($0, seconds[$0]!) }),
      "mean_seconds_truth": mean(records.flatMap { $0.truthSecondsBySeed.prefix(options.truthSeeds) }),
      "real_steps_matching_gtn_top50_spearman": equivalence,
      "log": url.path, "table": table.path,
    ]
    if options.truthSeeds >= 2 {
      // Two trainings of the same architectures agree only so far: no proxy
      // ranks the first seed's truth better than the second seed does.
      let (first, second) = (records.map { $0.truths[0] }, records.map { $0.truths[1] })
      summary["truth_seed1_vs_seed2"] = correlations(second, first, using: &rng)
    }
    return summary
  }

  /// Spearman and Kendall τ-b of `proxy` against `truth`, over all and over
  /// the top half by proxy, each with a 95% percentile bootstrap interval
  /// (1,000 resamples).
  func correlations(_ proxy: [Double], _ truth: [Double], using rng: inout SplitMix64) -> [String: Any] {
    guard !proxy.contains(where: \.isNaN) else { return ["missing": true] }
    var result: [String: Any] = [:]
    let statistics: [(String, ([Double], [Double]) -> Double?)] = [
      ("spearman", RankCorrelation.spearman), ("kendall_tau_b", RankCorrelation.kendallTauB),
      ("spearman_top50", RankCorrelation.topHalfSpearman), ("kendall_tau_b_top50", RankCorrelation.topHalfKendallTauB),
    ]
    for (name, statistic) in statistics {
      result[name] = statistic(proxy, truth) ?? NSNull()
      let interval = RankCorrelation.bootstrapInterval(proxy, truth, using: &rng, statistic: statistic)
      result[name + "_ci95"] = interval.map { [$0.lowerBound, $0.upperBound] } ?? NSNull()
    }
    return result
  }
}

/// `text` as one CSV field: quoted when it holds a comma, quote or line break.
func csvField(_ text: String) -> String {
  guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
  return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// `body`'s result and the seconds it took.
func timed(_ body: () -> Double) -> (Double, Double) {
  var value = 0.0
  let duration = ContinuousClock().measure { value = body() }
  return (value, duration.inSeconds)
}

func search(_ o: NASOptions) throws {
  let gtn = try loadGTN(o)
  let folder = try lockOutputFolder(o)
  defer { folder?.release(removingCreatedFolders: false) }
  try withSearchSpace(o, data: gtn.data) { space in try search(o, space: space, gtn: gtn) }
}

func search<Space: DecodableSearchSpace>(_ o: NASOptions, space: Space, gtn: TrainedGTN) throws {
  let (trainer, data) = (gtn.trainer, gtn.data)
  let validation = data.validation.subset(0..<min(o.validationCount, data.validation.count))
  let evaluator: any ArchitectureEvaluator = o.proxy == .gtn
    ? GTNProxy(trainer: trainer, steps: o.gtnSteps.first ?? 128, validationImages: validation.images, validationLabels: validation.labels)
    : RealDataProxy(images: data.training.images, labels: data.training.labels, steps: o.realSteps.first ?? 128,
                    validationImages: validation.images, validationLabels: validation.labels)
  if communicator.rank == 0 { try FileManager.default.createDirectory(atPath: o.output, withIntermediateDirectories: true) }
  let logURL = URL(fileURLWithPath: o.output).appendingPathComponent(logName("search-\(o.proxy.rawValue)-\(o.strategy.rawValue).jsonl", o))
  let records: [SearchRecord<Space.Architecture>]
  let progress: (SearchRecord<Space.Architecture>) -> Void = { r in
    log(String(format: "%d %@  score %.3f  (%.1fs)", r.index + 1, r.encoding, r.score, r.seconds))
  }
  switch o.strategy {
  case .random:
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<Space>(), evaluator: evaluator, seed: o.seed)
    records = try DistributedSearch(search: search, communicator: communicator).run(budget: o.budget, log: logURL, progress: progress)
  case .evolution:
    let search = ArchitectureSearch(space: space, strategy: RegularizedEvolution<Space>(), evaluator: evaluator, seed: o.seed)
    records = try DistributedSearch(search: search, communicator: communicator).run(budget: o.budget, log: logURL, progress: progress)
  }
  // Train the best distinct candidates on real data, pick by validation
  // accuracy, and report the chosen one's test accuracy.
  var seen = Set<String>()
  let top = records.sorted { $0.score > $1.score }.filter { seen.insert($0.encoding).inserted }.prefix(o.top)
  func truth(on split: Dataset) -> RealDataProxy {
    RealDataProxy(
      images: data.training.images, labels: data.training.labels, steps: o.truthSteps,
      validationImages: split.images, validationLabels: split.labels)
  }
  let selection = truth(on: data.validation)
  // Finalist k is trained on rank k mod N; one all-reduce collects them.
  var accuracies = [Double](repeating: 0, count: top.count)
  for (k, r) in top.enumerated() where k % communicator.size == communicator.rank {
    accuracies[k] = selection.score(space.learner(for: r.architecture), seed: o.seed)
  }
  communicator.allreduceSum(&accuracies)
  guard communicator.rank == 0 else { return }
  let finals = Array(zip(top, accuracies))
  guard let best = finals.max(by: { $0.1 < $1.1 }) else { fail("the search evaluated no architectures", code: 1) }
  // The chosen architecture retrained from scratch with --final-seeds seeds
  // (seed i on rank i mod N), tested once each. None is the selection's
  // seed: that training picked the architecture, so testing it again would
  // favour the pick.
  var testAccuracies = [Double](repeating: 0, count: o.finalSeeds)
  let bestLearner = space.learner(for: best.0.architecture)
  for i in testAccuracies.indices where i % communicator.size == communicator.rank {
    testAccuracies[i] = truth(on: data.test).score(bestLearner, seed: SplitMix64.seed(o.seed, stream: UInt64(i + 1)))
  }
  communicator.allreduceSum(&testAccuracies)
  let testMean = testAccuracies.reduce(0, +) / Double(testAccuracies.count)
  let testDeviation = (testAccuracies.map { ($0 - testMean) * ($0 - testMean) }.reduce(0, +) / Double(testAccuracies.count)).squareRoot()
  let repeats = records.filter { $0.repeatOf != nil }.count
  let threshold = chanceThreshold(classCount: data.training.classNames.count)
  let atChance = records.filter { $0.repeatOf == nil && $0.score <= threshold }.count
  if o.proxy == .gtn { warnAboutCandidatesAtChance(atChance, of: records.count - repeats, steps: o.gtnSteps.first ?? 128, threshold: threshold, space: o.space) }
  var summary: [String: Any] = [
    "command": "search", "space": o.space.rawValue, "proxy": o.proxy.rawValue, "strategy": o.strategy.rawValue,
    "evaluations": records.count - repeats, "repeats": repeats,
    "search_seconds": records.reduce(0) { $0 + $1.seconds }, "best_architecture": best.0.encoding,
    "best_proxy_score": best.0.score, "best_validation_accuracy": best.1, "best_test_accuracy": testMean,
    "best_test_accuracy_std": testDeviation, "best_test_accuracies": testAccuracies,
    "truth_steps": o.truthSteps, "candidates_at_chance": atChance,
    "finalists": finals.map { ["architecture": $0.0.encoding, "proxy_score": $0.0.score, "validation_accuracy": $0.1] as [String: Any] },
    "log": logURL.path,
  ]
  if o.proxy == .gtn, let seen = gtn.seen(records.filter { $0.repeatOf == nil }.map(\.encoding)) {
    summary["candidates_seen_in_meta_training"] = seen
    summary["best_seen_in_meta_training"] = gtn.seen([best.0.encoding]) == 1
  }
  print(try jsonLine(summary))
}

let options = parseCommandLine()
BLASRuntime.threadCount = 1
do {
  try withParallelism(threads: options.threads) {
    switch options.command {
    case .correlate: try correlate(options)
    case .search: try search(options)
    }
  }
} catch {
  fail(plainWords(error), code: 1)
}
