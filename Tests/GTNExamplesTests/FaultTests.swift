// Fault tests of the built mnist-gtn (and gtn-nas) executables: malformed and
// odd-but-valid datasets written to a temporary folder, bad flags, mismatched
// resumes, concurrent runs and a killed run. Each failing case must exit with
// status 1 or 2 (never a signal), name the file or flag in its message, fail
// within seconds, and leave no files behind.
//
// The executables are looked up next to the test bundle (where `swift build
// --build-tests` puts them) or in $GTN_EXAMPLES_BIN; without them the suite
// is skipped.

import Foundation
import GTNData
import GTNSearch
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where the example executables are, if built.
enum ExampleBinaries {
  static let directory: URL? = {
    var candidates: [URL] = []
    if let path = ProcessInfo.processInfo.environment["GTN_EXAMPLES_BIN"] { candidates.append(URL(fileURLWithPath: path)) }
    if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
    candidates.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent())
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("mnist-gtn").path) }
  }()

  static var available: Bool { directory != nil }

  static func url(_ name: String) -> URL { (directory ?? URL(fileURLWithPath: "/nonexistent")).appendingPathComponent(name) }
}

/// The result of running an executable.
struct RunResult {
  var status: Int32
  var exitedNormally: Bool
  var standardError: String
  var standardOutput: String
  var seconds: Double
}

/// Runs `program` with `arguments` in `directory` and waits for it.
func runProgram(_ program: String, _ arguments: [String], in directory: URL) throws -> RunResult {
  let process = Process()
  process.executableURL = ExampleBinaries.url(program)
  process.arguments = arguments
  process.currentDirectoryURL = directory
  var environment = ProcessInfo.processInfo.environment
  environment["GTN_DATA_DIR"] = directory.appendingPathComponent("no-data").path  // only --data-dir counts
  process.environment = environment
  let (out, err) = (Pipe(), Pipe())
  process.standardOutput = out
  process.standardError = err
  let clock = ContinuousClock()
  let start = clock.now
  try process.run()
  // Read both pipes while the process runs, so a full pipe never blocks it.
  nonisolated(unsafe) var errorData = Data()
  let reader = Thread { errorData = err.fileHandleForReading.readDataToEndOfFile() }
  reader.start()
  let outputData = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  while !reader.isFinished { usleep(1000) }
  let elapsed = clock.now - start
  return RunResult(
    status: process.terminationStatus, exitedNormally: process.terminationReason == .exit,
    standardError: String(decoding: errorData, as: UTF8.self), standardOutput: String(decoding: outputData, as: UTF8.self),
    seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// A tiny dataset in MNIST's file layout.
struct TinyDataset {
  var trainCount = 60
  var testCount = 20
  var trainSide = (8, 8)
  var testSide = (8, 8)
  var trainLabelCount: Int? = nil
  var labelOffset = 0

  /// Writes the four IDX files into `folder`.
  func write(to folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    func images(_ count: Int, _ side: (Int, Int), seed: Int) -> IDXFile {
      let payload = (0..<(count * side.0 * side.1)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761 &+ seed) >> 7) }
      return IDXFile(elementType: .uint8, dimensions: [count, side.0, side.1], payload: payload)
    }
    func labels(_ count: Int) -> IDXFile { IDXFile(labels: (0..<count).map { ($0 + labelOffset) % (10 + labelOffset) }) }
    try images(trainCount, trainSide, seed: 1).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
    try labels(trainLabelCount ?? trainCount).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
    try images(testCount, testSide, seed: 2).write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
    try labels(testCount).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
  }
}

/// The files under `folder` (relative paths), or `nil` when it does not exist.
func listing(_ folder: URL) -> Set<String>? {
  guard FileManager.default.fileExists(atPath: folder.path), let enumerator = FileManager.default.enumerator(atPath: folder.path) else {
    return nil
  }
  return Set(enumerator.compactMap { $0 as? String })
}

@Suite(
  .serialized,
  .enabled(if: ExampleBinaries.available, "mnist-gtn is not built next to the test bundle (run swift build --build-tests first, or set GTN_EXAMPLES_BIN)"))
final class FaultTests {
  let root: URL
  let data: URL

  /// The flags of a run that succeeds on the tiny dataset in well under a
  /// second.
  static let quickFlags: [(flag: String, value: String?)] = [
    ("--outer-iterations", "2"), ("--inner-steps", "2"), ("--batch-size", "4"), ("--real-batch-size", "4"),
    ("--validation-count", "20"), ("--evaluation-seeds", "1"), ("--threads", "1"), ("--quiet", nil),
  ]

  /// The quick run's arguments with `changes` (a value replaces the flag's,
  /// `""` drops the flag), then `extra`.
  static func quick(_ changes: [String: String] = [:], _ extra: [String] = []) -> [String] {
    var result: [String] = []
    for (flag, value) in quickFlags {
      let changed = changes[flag] ?? value
      if changed == "" { continue }
      result.append(flag)
      if let changed { result.append(changed) }
    }
    return result + extra
  }

  static var quick: [String] { quick() }

  /// Seconds a failing run may take.
  static let failFast = 5.0

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-fault-\(getpid())-\(UUID().uuidString.prefix(8))")
    data = root.appendingPathComponent("data")
    try TinyDataset().write(to: data)
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  /// Runs mnist-gtn with `arguments` (plus `--data-dir`, unless given) in the
  /// temporary folder.
  func mnistGTN(_ arguments: [String], data: URL? = nil) throws -> RunResult {
    let withData = arguments.contains("--data-dir") ? arguments : ["--data-dir", (data ?? self.data).path] + arguments
    return try runProgram("mnist-gtn", withData, in: root)
  }

  /// Expects a clean failure naming `needles`, quickly, with `output`'s
  /// contents unchanged (absent when it was absent).
  func expectFailure(
    _ arguments: [String], data: URL? = nil, output: URL? = nil, naming needles: [String], status: Set<Int32> = [1, 2],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let before = output.flatMap(listing)
    let result = try mnistGTN(arguments, data: data)
    let message = result.standardError
    #expect(result.exitedNormally, "killed by signal \(result.status): \(message)", sourceLocation: sourceLocation)
    #expect(status.contains(result.status), "exit status \(result.status), expected \(status.sorted()): \(message)", sourceLocation: sourceLocation)
    for needle in needles {
      #expect(message.contains(needle), "the message does not name '\(needle)': \(message)", sourceLocation: sourceLocation)
    }
    #expect(!message.contains("NSCocoaErrorDomain") && !message.contains("Error Domain="), "\(message)", sourceLocation: sourceLocation)
    #expect(result.seconds < Self.failFast, "took \(result.seconds) s to fail", sourceLocation: sourceLocation)
    #expect(result.standardOutput.isEmpty, "printed a summary: \(result.standardOutput)", sourceLocation: sourceLocation)
    if let output {
      #expect(listing(output) == before, "left files behind in \(output.path): \(listing(output) ?? [])", sourceLocation: sourceLocation)
    }
  }

  /// A fresh output folder path (not created).
  func outputFolder(_ name: String = "out") -> URL { root.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6))") }

  /// A dataset variant written to its own folder.
  func dataset(_ make: (inout TinyDataset) -> Void) throws -> URL {
    var spec = TinyDataset()
    make(&spec)
    let folder = root.appendingPathComponent("data-\(UUID().uuidString.prefix(6))")
    try spec.write(to: folder)
    return folder
  }

  /// A finished quick run's output folder (checkpoint at iteration 2).
  func finishedRun(_ extra: [String] = []) throws -> URL {
    let output = outputFolder("done")
    let result = try mnistGTN(Self.quick + ["--output", output.path] + extra)
    try #require(result.status == 0 && result.exitedNormally, "the quick run failed: \(result.standardError)")
    return output
  }

  // MARK: Sizes at the boundaries

  @Test func quickRunSucceedsAndLeavesOnlyItsOutputs() throws {
    let output = outputFolder()
    let result = try mnistGTN(Self.quick + ["--output", output.path])
    #expect(result.status == 0 && result.exitedNormally, "\(result.standardError)")
    #expect(result.standardOutput.contains("\"gtn_test_accuracy\""))
    #expect(listing(output) == [
      "accuracy.csv", "accuracy.svg", "checkpoint.safetensors", "curriculum.png", "options.json", "report.html", "summary.json",
      "training.csv",
    ])
  }

  /// `--learner cell:N` and `macro:N` meta-train over N distinct
  /// architectures of the space drawn from the seed, listed in
  /// `learners.txt`: the same seed draws the same ones (cells of any
  /// `--learner-width`), another seed others.
  @Test func drawnLearnersFollowTheSeedAndAreListed() throws {
    func run(_ learner: String, seed: String, _ extra: [String] = []) throws -> [String] {
      let output = outputFolder()
      let result = try mnistGTN(Self.quick([:], ["--learner", learner, "--seed", seed, "--output", output.path] + extra))
      try #require(result.status == 0 && result.exitedNormally, "\(result.standardError)")
      let text = try String(contentsOf: output.appendingPathComponent("learners.txt"), encoding: .utf8)
      return text.split(separator: "\n").map(String.init)
    }
    let cells = try run("cell:3", seed: "1")
    #expect(cells.count == 3 && Set(cells).count == 3, "\(cells)")
    #expect(cells.allSatisfy { CellSearchSpace().architecture(decoding: $0) != nil }, "\(cells)")
    #expect(try run("cell:3", seed: "1", ["--learner-width", "4"]) == cells)
    let macros = try run("macro:2", seed: "2")
    #expect(macros.count == 2 && Set(macros).count == 2, "\(macros)")
    #expect(macros.allSatisfy { MacroSearchSpace().architecture(decoding: $0) != nil }, "\(macros)")
    #expect(try run("macro:2", seed: "3") != macros)
  }

  /// A run past `--memory-limit` stops at once with status 1 and advice
  /// naming the options that lower its memory, not killed by a signal.
  @Test func memoryLimitStopsTheRunWithAdvice() throws {
    let output = outputFolder()
    let result = try mnistGTN(Self.quick(["--inner-steps": "8"], ["--memory-limit", "0.001", "--output", output.path]))
    #expect(result.exitedNormally && result.status == 1, "\(result.standardError)")
    for needle in ["resident memory", "passed --memory-limit 0.001 GB", "--checkpoint-segment 4 keeps", "--batch-size 4", "--inner-steps 8", "--resume"] {
      #expect(result.standardError.contains(needle), "the message does not name '\(needle)': \(result.standardError)")
    }
    #expect(result.standardOutput.isEmpty)
  }

  /// An outer iteration whose meta-loss is not finite is skipped without an
  /// update and logged; five in a row stop the run with the error (an inner
  /// learning rate of 10 and momentum 0.99 over 32 steps diverge on every
  /// iteration).
  @Test func nonFiniteIterationsAreSkippedThenStopTheRun() throws {
    let output = outputFolder()
    let result = try mnistGTN(Self.quick(
      ["--outer-iterations": "8", "--inner-steps": "32", "--quiet": ""],
      ["--inner-learning-rate", "10", "--inner-momentum", "0.99", "--output", output.path]))
    #expect(result.exitedNormally && result.status == 1, "\(result.standardError)")
    let skips = result.standardError.split(separator: "\n").filter { $0.contains("skipped without an update") }
    #expect(skips.count == 4, "\(result.standardError)")
    #expect(skips.first?.hasPrefix("iteration 1: the meta-loss or its gradient is not finite") == true)
    #expect(result.standardError.contains("meta-training stopped at iteration"))
  }

  /// The training file against the validation split: smaller, equal, just
  /// above with batches too large; the default 10,000 on a tiny file.
  @Test(arguments: [
    (["--validation-count": "61"], ["train-images-idx3-ubyte", "--validation-count"]),
    (["--validation-count": "60"], ["train-images-idx3-ubyte", "--validation-count", "no image to train on"]),
    (["--validation-count": "59"], ["--batch-size 4", "training split"]),
    (["--validation-count": "56", "--real-batch-size": "5"], ["--real-batch-size 5", "training split"]),
    (["--validation-count": ""], ["train-images-idx3-ubyte", "--validation-count 10000"]),
  ])
  func trainingSetAroundTheValidationSplit(changes: [String: String], needles: [String]) throws {
    let output = outputFolder()
    try expectFailure(Self.quick(changes, ["--output", output.path]), output: output, naming: needles)
  }

  /// One image left to train on, batches of one: valid, and it runs.
  @Test func trainingSetJustAboveTheValidationSplitRuns() throws {
    let output = outputFolder()
    let result = try mnistGTN(
      ["--outer-iterations", "1", "--inner-steps", "1", "--batch-size", "1", "--real-batch-size", "1", "--validation-count", "59",
       "--evaluation-seeds", "1", "--threads", "1", "--quiet", "--output", output.path])
    #expect(result.status == 0 && result.exitedNormally, "\(result.standardError)")
  }

  @Test func batchSizeAboveTheTrainingSet() throws {
    let output = outputFolder()
    try expectFailure(Self.quick(["--batch-size": "41"], ["--output", output.path]), output: output, naming: ["--batch-size 41"])
  }

  @Test func emptyTestSetIsAnError() throws {
    let data = try dataset { $0.testCount = 0 }
    let output = outputFolder()
    try expectFailure(Self.quick + ["--output", output.path], data: data, output: output, naming: ["t10k-images-idx3-ubyte", "no images"])
  }

  @Test func validationEvaluationNeedsMoreThanTheTuningImages() throws {
    let output = outputFolder()
    try expectFailure(Self.quick + ["--evaluation-split", "validation", "--output", output.path], output: output, naming: ["--evaluation-split validation"])
  }

  // MARK: Malformed and mismatched files

  @Test func testImagesOfAnotherShape() throws {
    let data = try dataset { $0.testSide = (9, 9) }
    let output = outputFolder()
    try expectFailure(Self.quick + ["--output", output.path], data: data, output: output, naming: ["t10k-images-idx3-ubyte", "[1, 9, 9]", "[1, 8, 8]"])
  }

  @Test(arguments: [(0, 0), (8, 0), (0, 8)])
  func zeroSizedImages(side: (Int, Int)) throws {
    let data = try dataset { $0.trainSide = side; $0.testSide = side }
    let output = outputFolder()
    try expectFailure(Self.quick + ["--output", output.path], data: data, output: output, naming: ["train-images-idx3-ubyte", "at least 1"])
  }

  @Test func fewerLabelsThanImages() throws {
    let data = try dataset { $0.trainLabelCount = 59 }
    let output = outputFolder()
    try expectFailure(Self.quick + ["--output", output.path], data: data, output: output, naming: ["train-", "59 labels"])
  }

  @Test func labelOutOfRange() throws {
    let data = try dataset { $0.labelOffset = 3 }
    let output = outputFolder()
    try expectFailure(Self.quick + ["--output", output.path], data: data, output: output, naming: ["train-", "label"])
  }

  @Test(arguments: ["truncated", "gzip", "empty", "directory"])
  func unreadableImageFile(kind: String) throws {
    let data = try dataset { _ in }
    let file = data.appendingPathComponent("train-images-idx3-ubyte")
    try FileManager.default.removeItem(at: file)
    switch kind {
    case "truncated": try Data([0, 0, 8, 3, 0, 0, 0, 60, 0, 0, 0, 8, 0, 0, 0, 8, 1, 2, 3]).write(to: file)
    case "gzip":
      try Data([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xfe, 0xfd]).write(to: data.appendingPathComponent("train-images-idx3-ubyte.gz"))
    case "empty": try Data().write(to: file)
    default: try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
    }
    let output = outputFolder()
    try expectFailure(Self.quick + ["--output", output.path], data: data, output: output, naming: ["train-images-idx3-ubyte"])
  }

  @Test func missingTestFiles() throws {
    let data = try dataset { _ in }
    try FileManager.default.removeItem(at: data.appendingPathComponent("t10k-images-idx3-ubyte"))
    let output = outputFolder()
    try expectFailure(Self.quick + ["--output", output.path], data: data, output: output, naming: ["t10k-images-idx3-ubyte"])
  }

  // MARK: Flags

  @Test(arguments: [
    (["--batch-size", "99999999"], "--batch-size"),
    (["--learning-rate", "inf"], "--learning-rate"),
    (["--learning-rate", "nan"], "--learning-rate"),
    (["--learning-rate", "-0.1"], "--learning-rate"),
    (["--inner-steps", "0"], "--inner-steps"),
    (["--seed", "-5"], "--seed"),
    (["--validation-count", "0"], "--validation-count"),
    (["--time-budget", "0"], "--time-budget"),
    (["--output", "--quiet"], "--output"),
    (["--inner-steps", "--batch-size", "4"], "--inner-steps"),
    (["--learner", "macro:zzz"], "--learner"),
    (["--allow-changes", "seed,colour"], "--allow-changes"),
    (["--frobnicate"], "--frobnicate"),
    (["--quiet=yes"], "--quiet"),
  ])
  func badFlags(extra: [String], flag: String) throws {
    let output = outputFolder()
    try expectFailure(extra + ["--outer-iterations", "2", "--output", output.path], output: output, naming: [flag], status: [2])
  }

  /// Within bounds but beyond any machine's memory: refused before anything
  /// is allocated.
  @Test func curriculumBeyondMemory() throws {
    let output = outputFolder()
    try expectFailure(
      ["--inner-steps", "4096", "--batch-size", "65536", "--noise-size", "65536", "--validation-count", "20", "--quiet", "--output", output.path],
      output: output, naming: ["--batch-size", "GB"])
  }

  // MARK: The output folder

  @Test func outputIsAFile() throws {
    let file = root.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    try expectFailure(Self.quick + ["--output", file.path], naming: ["--output", file.path, "not a folder"])
    try expectFailure(Self.quick + ["--output", file.appendingPathComponent("sub").path], naming: ["--output", "Not a directory"])
  }

  @Test func heldOutputFolderIsRefusedNamingTheOwner() throws {
    let output = outputFolder()
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    let lock = output.appendingPathComponent(".lock").path
    let fd = open(lock, O_RDWR | O_CREAT, 0o644)
    try #require(fd >= 0)
    defer {
      unlink(lock)
      close(fd)
    }
    try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
    _ = "4242\n".withCString { Glibc.write(fd, $0, 5) }
    try expectFailure(Self.quick + ["--output", output.path], output: output, naming: [output.path, "process 4242"])
  }

  /// Two runs on one folder: the second fails at once naming the first's
  /// pid; the first, killed with SIGKILL mid-run, leaves a readable
  /// checkpoint; a fresh run then succeeds and leaves no temporaries (also
  /// removing planted ones of a killed writer) and no lock file.
  @Test func concurrentRunsThenKillThenFreshRun() throws {
    let output = outputFolder()
    let first = Process()
    first.executableURL = ExampleBinaries.url("mnist-gtn")
    first.arguments = ["--data-dir", data.path] + Self.quick(["--outer-iterations": "1000000"], ["--output", output.path, "--checkpoint-every", "1"])
    first.currentDirectoryURL = root
    first.standardOutput = FileHandle.nullDevice
    first.standardError = FileHandle.nullDevice
    try first.run()
    defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
    let checkpoint = output.appendingPathComponent("checkpoint.safetensors")
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: checkpoint.path), Date() < deadline, first.isRunning { usleep(20_000) }
    try #require(FileManager.default.fileExists(atPath: checkpoint.path), "the first run wrote no checkpoint")

    let second = try mnistGTN(Self.quick + ["--output", output.path])
    #expect(second.exitedNormally && second.status == 1, "\(second.standardError)")
    #expect(second.standardError.contains(output.path) && second.standardError.contains("process \(first.processIdentifier)"), "\(second.standardError)")
    #expect(second.seconds < Self.failFast)

    usleep(150_000)
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    #expect(first.terminationReason == .uncaughtSignal)
    _ = try Safetensors.read(from: checkpoint)  // whole, never torn

    let planted = ["checkpoint.safetensors.tmp-99999", "summary.json.tmp-1"]
    for name in planted { try Data("partial".utf8).write(to: output.appendingPathComponent(name)) }
    try Data("keep".utf8).write(to: output.appendingPathComponent("notes.tmp-1"))  // not ours: kept
    let fresh = try mnistGTN(Self.quick + ["--output", output.path])
    #expect(fresh.status == 0 && fresh.exitedNormally, "\(fresh.standardError)")
    let files = listing(output) ?? []
    #expect(files.filter { $0.contains(".tmp-") } == ["notes.tmp-1"], "\(files)")
    #expect(!files.contains(".lock"))
  }

  // MARK: Resuming

  @Test(arguments: [
    ([:], ["--seed", "7"], ["--seed: 1 in the checkpoint, 7 now"]),
    ([:], ["--learner", "conv"], ["--learner: mlp in the checkpoint, conv now"]),
    ([:], ["--dataset", "fashion-mnist"], ["--dataset: mnist in the checkpoint, fashion-mnist now"]),
    ([:], ["--seed", "7", "--learning-rate", "0.1", "--augment"],
     ["--seed", "--learning-rate: 0.01 in the checkpoint, 0.1 now", "--augment: off in the checkpoint, on now",
      "--allow-changes seed,learning-rate,augment"]),
    (["--validation-count": "21"], [], ["--validation-count: 20 in the checkpoint, 21 now"]),
    (["--inner-steps": "3"], [], ["--inner-steps: 2 in the checkpoint, 3 now"]),
    ([:], ["--seed", "7", "--allow-changes", "learner"], ["--seed: 1 in the checkpoint, 7 now"]),
  ] as [([String: String], [String], [String])])
  func mismatchedResume(changes: [String: String], extra: [String], needles: [String]) throws {
    let output = try finishedRun()
    try expectFailure(
      Self.quick(changes, ["--resume", "--output", output.path] + extra), output: output,
      naming: [output.path + "/checkpoint.safetensors"] + needles)
  }

  @Test func resumeFromAnotherDataFolder() throws {
    let output = try finishedRun()
    let other = try dataset { $0.trainCount = 61 }
    try expectFailure(Self.quick + ["--resume", "--output", output.path], data: other, output: output, naming: ["--data-dir: \(data.path)"])
  }

  @Test func allowedAndAlwaysAllowedChangesResume() throws {
    let output = try finishedRun()
    let result = try mnistGTN(
      Self.quick(
        ["--outer-iterations": "3", "--threads": "2", "--evaluation-seeds": "2"],
        ["--resume", "--output", output.path, "--checkpoint-every", "5", "--seed", "5", "--allow-changes", "seed"]))
    #expect(result.status == 0 && result.exitedNormally, "\(result.standardError)")
    #expect(result.standardOutput.contains("\"resumed_from_iteration\":2"))
  }

  @Test func checkpointPastTheOuterIterations() throws {
    let output = try finishedRun()
    try expectFailure(
      Self.quick(["--outer-iterations": "1"], ["--resume", "--output", output.path]), output: output,
      naming: ["iteration 2", "--outer-iterations 1"])
  }

  @Test(arguments: ["nan", "garbage", "directory"])
  func unusableCheckpoint(kind: String) throws {
    let output = try finishedRun()
    let checkpoint = output.appendingPathComponent("checkpoint.safetensors")
    var needles = [checkpoint.path]
    switch kind {
    case "nan":
      var (tensors, metadata) = try Safetensors.read(from: checkpoint)
      let name = try #require(tensors.keys.sorted().first { !$0.hasPrefix("adam.") })
      var scalars = tensors[name]!.scalars
      scalars[0] = .nan
      tensors[name] = Tensor(shape: tensors[name]!.shape, scalars: scalars)
      try Safetensors.write(tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }, metadata: metadata, to: checkpoint)
      needles += [name, "NaN"]
    case "garbage": try Data("not a checkpoint at all".utf8).write(to: checkpoint)
    default:
      try FileManager.default.removeItem(at: checkpoint)
      try FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: false)
      needles.append("is a directory")
    }
    try expectFailure(Self.quick + ["--resume", "--output", output.path], output: output, naming: needles)
  }

  /// gtn-nas correlate scores every proxy, the zero-cost ones included, and
  /// reports each one's rank correlations and mean seconds.
  @Test func gtnNASCorrelateReportsEveryProxy() throws {
    // The real-data proxies draw batches of 128 training images.
    let data = try dataset { $0.trainCount = 200 }
    let output = outputFolder("done")
    let run = try mnistGTN(Self.quick + ["--output", output.path], data: data)
    try #require(run.status == 0 && run.exitedNormally, "the quick run failed: \(run.standardError)")
    let nasOutput = outputFolder("nas-study")
    func correlate(_ more: [String]) throws -> [String: Any] {
      let result = try runProgram(
        "gtn-nas", ["correlate", "--gtn", output.path, "--data-dir", data.path, "--architectures", "4", "--truth-steps", "4",
                    "--validation-count", "8", "--threads", "1", "--output", nasOutput.path] + more,
        in: root)
      #expect(result.exitedNormally && result.status == 0, "\(result.standardError)")
      return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }
    let summary = try correlate(["--gtn-steps", "2", "--real-steps", "2"])
    for proxy in ["zero_cost_gradient_norm", "zero_cost_synflow", "zero_cost_jacob_cov"] {
      #expect((summary[proxy] as? [String: Any])?["spearman"] != nil, "\(proxy): \(summary[proxy] ?? "missing")")
    }
    let seconds = try #require(summary["mean_seconds_zero_cost"] as? [String: Double])
    #expect(Set(seconds.keys) == ["gradient_norm", "synflow", "jacob_cov"] && seconds.values.allSatisfy { $0 > 0 })
    let gtn = try #require((summary["gtn"] as? [String: Any])?["2"] as? [String: Any])
    #expect(Set(gtn.keys) == [
      "spearman", "kendall_tau_b", "spearman_top50", "kendall_tau_b_top50",
      "spearman_ci95", "kendall_tau_b_ci95", "spearman_top50_ci95", "kendall_tau_b_top50_ci95",
    ])
    #expect(summary["truth_seed1_vs_seed2"] == nil)
    #expect(summary["candidates_seen_in_meta_training"] == nil)  // a GTN of a named learner

    // Resumed with another GTN step count, real step count and ground-truth
    // seed: only those are scored, the log keeps them, the table has them all.
    let log = nasOutput.appendingPathComponent("correlate.jsonl")
    let before = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
    let resumed = try correlate(["--gtn-steps", "2,3", "--real-steps", "2,4", "--truth-seeds", "2"])
    #expect(summary["table"] as? String == resumed["table"] as? String)
    let agreement = try #require(resumed["truth_seed1_vs_seed2"] as? [String: Any])
    #expect(agreement["spearman_ci95"] != nil)
    #expect(Set(((resumed["gtn"] as? [String: Any]) ?? [:]).keys) == ["2", "3"])
    let after = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
    #expect(after.count == 4 && before.count == 4)
    for (old, new) in zip(before, after) {
      let a = try JSONDecoder().decode(StudyRecordFields.self, from: Data(old.utf8))
      let b = try JSONDecoder().decode(StudyRecordFields.self, from: Data(new.utf8))
      #expect(a.truth == b.truth && a.gtnScores["2"] == b.gtnScores["2"] && a.realScores["2"] == b.realScores["2"])
      #expect(b.gtnScores.keys.sorted() == ["2", "3"] && b.realScores.keys.sorted() == ["2", "4"] && b.moreTruths?.count == 1)
      // Two ground-truth seeds, neither the proxies' (--seed 1 plus the index).
      let seeds = try #require(b.truthSeeds)
      #expect(seeds.count == 2 && Set(seeds).count == 2 && !seeds.contains(1 + UInt64(b.index)), "\(seeds)")
    }

    // A log written before ground truths had seeds of their own: its first
    // ground truth came from the proxies' seed. Resumed, that one is set
    // aside, the second moves up, and the one still missing is trained.
    let records = try after.map { try JSONDecoder().decode(StudyRecordFields.self, from: Data($0.utf8)) }
    let legacy = try after.map { line -> String in
      var record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      record["truthSeeds"] = nil
      (record["truth"], record["moreTruths"], record["moreTruthSeconds"]) = (0.125, [0.5], [1.0])
      return String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
    }
    try (legacy.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
    let converted = try correlate(["--gtn-steps", "2,3", "--real-steps", "2,4", "--truth-seeds", "2"])
    #expect(converted["truth_seed1_vs_seed2"] != nil)
    let rewritten = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
      .map { try JSONDecoder().decode(StudyRecordFields.self, from: Data($0.utf8)) }
    #expect(rewritten.count == 4)
    for (old, new) in zip(records, rewritten) {
      #expect(new.truthSharingProxySeed == 0.125 && new.truth == 0.5 && new.truthSeeds == old.truthSeeds)
      #expect(new.moreTruths == old.moreTruths, "the second seed's ground truth is trained from the same seed as before")
      #expect(new.gtnScores.keys.sorted() == ["2", "3"] && new.realScores.keys.sorted() == ["2", "4"])
    }
    let table = try String(contentsOf: nasOutput.appendingPathComponent("correlate.csv"), encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    #expect(table.first?.map(String.init) == [
      "architecture", "ground_truth_seed1", "ground_truth_seed2", "ground_truth_seed1_seconds", "ground_truth_seed2_seconds",
      "gtn_k2", "gtn_k2_seconds", "gtn_k3", "gtn_k3_seconds", "real_k2", "real_k2_seconds", "real_k4", "real_k4_seconds",
      "gradient_norm", "gradient_norm_seconds", "synflow", "synflow_seconds", "jacob_cov", "jacob_cov_seconds",
    ])
    #expect(table.count == 5 && table.dropFirst().allSatisfy { $0.count == 19 && $0.dropFirst().allSatisfy { Double($0) != nil } })
    // Each accuracy proxy's count of candidates at chance agrees with the table.
    let atChance = try #require(resumed["candidates_at_chance"] as? [String: Int])
    let header = table[0].map(String.init)
    #expect(Set(atChance.keys) == ["gtn_k2", "gtn_k3", "real_k2", "real_k4"])
    for (proxy, count) in atChance {
      let column = try #require(header.firstIndex(of: proxy))
      #expect(count == table.dropFirst().filter { Double($0[column])! <= 0.15 }.count, "\(proxy)")
    }
    // A rank scatter per proxy, each with a marker per architecture.
    let plots = try #require(resumed["rank_plots"] as? [String])
    #expect(plots.map { URL(fileURLWithPath: $0).lastPathComponent } == [
      "gtn_k2", "gtn_k3", "real_k2", "real_k4", "gradient_norm", "synflow", "jacob_cov",
    ].map { "scatter-\($0).svg" })
    for path in plots {
      let svg = try String(contentsOfFile: path, encoding: .utf8)
      #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<circle").count - 1 == 4 + 2, "\(path)")
    }
  }

  /// gtn-nas counts the candidates a GTN of `--learner macro:…` was
  /// meta-trained on: here the study's first two.
  @Test func gtnNASCountsCandidatesSeenInMetaTraining() throws {
    let data = try dataset { $0.trainCount = 200 }
    let space = MacroSearchSpace()
    var rng = SplitMix64(seed: 1)
    let firstTwo = (0..<2).map { _ in space.encoding(of: space.sample(using: &rng)) }
    let learners = firstTwo.contains("c8k3") ? firstTwo : firstTwo + ["c8k3"]
    let output = outputFolder("gtn")
    let run = try mnistGTN(Self.quick + ["--learner", "macro:" + learners.joined(separator: ","), "--output", output.path], data: data)
    try #require(run.status == 0 && run.exitedNormally, "the quick run failed: \(run.standardError)")
    let result = try runProgram(
      "gtn-nas", ["correlate", "--gtn", output.path, "--data-dir", data.path, "--architectures", "4", "--truth-steps", "2",
                  "--gtn-steps", "2", "--real-steps", "2", "--validation-count", "8", "--threads", "1",
                  "--output", outputFolder("nas-seen").path],
      in: root)
    #expect(result.exitedNormally && result.status == 0, "\(result.standardError)")
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    #expect(summary["candidates_seen_in_meta_training"] as? Int == 2, "\(summary)")
  }

  /// gtn-nas search retrains the architecture it picks with every final
  /// seed and reports their mean, spread and values.
  @Test func gtnNASSearchRetrainsTheChosenArchitectureWithEverySeed() throws {
    let data = try dataset { $0.trainCount = 200 }
    let output = outputFolder("gtn")
    let run = try mnistGTN(Self.quick + ["--output", output.path], data: data)
    try #require(run.status == 0 && run.exitedNormally, "the quick run failed: \(run.standardError)")
    let result = try runProgram(
      "gtn-nas", ["search", "--gtn", output.path, "--data-dir", data.path, "--strategy", "random", "--budget-evaluations", "3",
                  "--top", "2", "--final-seeds", "2", "--gtn-steps", "2", "--truth-steps", "4", "--validation-count", "8",
                  "--threads", "1", "--output", outputFolder("search").path],
      in: root)
    #expect(result.exitedNormally && result.status == 0, "\(result.standardError)")
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    let accuracies = try #require(summary["best_test_accuracies"] as? [Double])
    let mean = try #require(summary["best_test_accuracy"] as? Double)
    #expect(accuracies.count == 2 && abs(mean - accuracies.reduce(0, +) / 2) < 1e-12)
    #expect((summary["best_test_accuracy_std"] as? Double).map { $0 >= 0 } == true)
    // The count of candidates scored at chance agrees with the log.
    let log = try String(contentsOfFile: try #require(summary["log"] as? String), encoding: .utf8)
    let scores = try log.split(separator: "\n").map { line in
      let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      return record["repeatOf"] == nil ? try #require(record["score"] as? Double) : 1
    }
    #expect(summary["candidates_at_chance"] as? Int == scores.filter { $0 <= 0.15 }.count)
  }

  /// The fields of a gtn-nas study record the resume test compares.
  struct StudyRecordFields: Decodable {
    var index: Int
    var truth: Double
    var gtnScores: [String: Double]
    var realScores: [String: Double]
    var moreTruths: [Double]?
    var truthSeeds: [UInt64]?
    var truthSharingProxySeed: Double?
  }

  /// gtn-nas refuses a GTN whose parameters are not finite, naming the
  /// tensor, before it searches anything.
  @Test func gtnNASRefusesANonFiniteGTN() throws {
    let output = try finishedRun()
    let checkpoint = output.appendingPathComponent("checkpoint.safetensors")
    var (tensors, metadata) = try Safetensors.read(from: checkpoint)
    let name = try #require(tensors.keys.sorted().first { !$0.hasPrefix("adam.") })
    tensors[name] = Tensor(shape: tensors[name]!.shape, scalars: tensors[name]!.scalars.map { _ in .infinity })
    try Safetensors.write(tensors.map { (name: $0.key, tensor: $0.value) }, metadata: metadata, to: checkpoint)
    let nasOutput = outputFolder("nas")
    let result = try runProgram(
      "gtn-nas", ["correlate", "--gtn", output.path, "--data-dir", data.path, "--architectures", "1", "--output", nasOutput.path], in: root)
    #expect(result.exitedNormally && result.status == 1, "\(result.standardError)")
    #expect(result.standardError.contains(name) && result.standardError.contains("NaN or infinite"), "\(result.standardError)")
    #expect(listing(nasOutput) == nil)
  }
}
