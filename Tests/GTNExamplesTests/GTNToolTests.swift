// The built gtn executable on the user's own data: gtn train on a tiny
// Keras-layout archive and a tiny image folder written here, gtn sample in
// every format read back with GTNData's readers, gtn info --json, gtn
// evaluate, and the exit statuses of bad flags (2) and bad files (1).

import Foundation
import GTNAutodiff
import GTNData
import Testing
import _GTNExamplesSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite(
  .serialized,
  .enabled(
    if: FileManager.default.isExecutableFile(atPath: ExampleBinaries.url("gtn").path),
    "gtn is not built next to the test bundle (run swift build --build-tests first, or set GTN_EXAMPLES_BIN)"))
final class GTNToolTests {
  let root: URL

  /// A run of a few seconds at most: T = 3 steps of B = 4 samples.
  static let quick = [
    "--outer-iterations", "2", "--inner-steps", "3", "--batch-size", "4", "--real-batch-size", "8", "--evaluation-seeds", "1",
    "--threads", "1", "--quiet",
  ]

  init() throws { root = try temporaryFolder("gtn-tool") }

  deinit { try? FileManager.default.removeItem(at: root) }

  func gtn(_ arguments: [String]) throws -> RunResult { try runProgram("gtn", arguments, in: root) }

  /// Runs gtn and requires success.
  @discardableResult
  func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
    let result = try gtn(arguments)
    try #require(
      result.exitedNormally && result.status == 0, "gtn \(arguments.joined(separator: " ")) failed: \(result.standardError)",
      sourceLocation: sourceLocation)
    return result
  }

  /// A finished `gtn train` run on a tiny archive; its output folder.
  func trainedOnArchive() throws -> URL {
    let file = root.appendingPathComponent("tiny.npz")
    try TinyFiles.writeNPZ(to: file)
    let output = root.appendingPathComponent("npz-run")
    let result = try succeed(["train", "--dataset", "npz:\(file.path)", "--validation-count", "10", "--output", output.path] + Self.quick)
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    #expect(summary["dataset"] as? String == "tiny.npz" && summary["completed_outer_iterations"] as? Int == 2)
    #expect(summary["normalization"] as? String == "minus-one-to-one" && (summary["training_pixel_mean"] as? [Double])?.count == 1)
    return output
  }

  func json(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  /// The 8-bit pixel the pixel formats write for `value` in [-1, 1].
  static func byte(_ value: Float) -> UInt8 { UInt8(max(0, min(255, ((value + 1) * 127.5).rounded()))) }

  @Test func samplesEveryFormatAndReadsThemBack() throws {
    let run = try trainedOnArchive()
    func sample(_ format: String, count: Int? = nil) throws -> URL {
      let output = root.appendingPathComponent("sample-\(format)-\(count ?? 0)")
      try succeed(["sample", "--checkpoint", run.path, "--format", format, "--output", output.path] + (count.map { ["--count", String($0)] } ?? []))
      return output
    }

    // npy: the reference for the other formats.
    let npy = try sample("npy")
    let imagesArray = try NumPyArray(contentsOf: npy.appendingPathComponent("images.npy"))
    let labelsArray = try NumPyArray(contentsOf: npy.appendingPathComponent("labels.npy"))
    #expect(imagesArray.scalarType == .float32 && imagesArray.shape == [12, 1, 8, 8])
    #expect(labelsArray.scalarType == .int64 && labelsArray.shape == [12])
    let images = try #require(imagesArray.floatValues())
    let labels = try #require(labelsArray.integerValues())
    #expect(images.allSatisfy { $0 >= -1 && $0 <= 1 } && Set(labels).isSubset(of: [0, 1, 2]) && Set(labels).count == 3)
    let schedule = try json(npy.appendingPathComponent("schedule.json"))
    #expect(schedule["step_count"] as? Int == 3 && schedule["batch_size"] as? Int == 4 && schedule["sample_count"] as? Int == 12)
    #expect((schedule["learning_rates"] as? [Double])?.count == 3 && (schedule["momenta"] as? [Double])?.count == 3)
    #expect((schedule["learning_rates"] as? [Double])?.allSatisfy { $0 > 0 } == true)
    #expect(schedule["class_names"] as? [String] == ["0", "1", "2"] && schedule["format"] as? String == "npy")

    // safetensors: the same values.
    let safetensors = try SafetensorsFile(contentsOf: try sample("safetensors").appendingPathComponent("samples.safetensors"))
    #expect(safetensors.arrays["images"]?.shape == [12, 1, 8, 8] && safetensors.arrays["images"]?.floatValues() == images)
    #expect(safetensors.arrays["labels"]?.scalarType == .int64 && safetensors.arrays["labels"]?.integerValues() == labels)

    // idx: MNIST's layout, 8-bit.
    let idx = try sample("idx")
    let idxImages = try IDXFile(contentsOf: idx.appendingPathComponent("train-images-idx3-ubyte"))
    let idxLabels = try IDXFile(contentsOf: idx.appendingPathComponent("train-labels-idx1-ubyte"))
    #expect(idxImages.dimensions == [12, 8, 8] && idxImages.payload == images.map(Self.byte))
    #expect(idxLabels.payload == labels.map { UInt8($0) })

    // png-folder: ImageFolder's layout; a class's files in step order.
    let folder = try sample("png-folder")
    let (read, test) = try Dataset.imageFolder(folder, normalization: .raw)
    #expect(test == nil && read.count == 12 && read.classNames == ["0", "1", "2"] && read.imageShape == [1, 8, 8])
    let order = read.classNames.indices.flatMap { c in labels.indices.filter { labels[$0] == c } }
    #expect(read.labels == order.map { labels[$0] })
    let expected = order.flatMap { i in images[(i * 64)..<((i + 1) * 64)].map { Float(Self.byte($0)) } }
    #expect(read.images.scalars == expected)

    // --count: a prefix of the curriculum, or fresh samples beyond it.
    let prefix = try NumPyArray(contentsOf: try sample("npy", count: 5).appendingPathComponent("images.npy"))
    #expect(prefix.shape == [5, 1, 8, 8] && prefix.floatValues() == Array(images[0..<(5 * 64)]))
    let more = try sample("npy", count: 15)
    let moreLabels = try NumPyArray(contentsOf: more.appendingPathComponent("labels.npy")).integerValues()
    #expect(moreLabels == labels + [0, 1, 2])
    #expect(try json(more.appendingPathComponent("schedule.json"))["fresh_sample_count"] as? Int == 3)
  }

  @Test func infoDescribesTheCheckpoint() throws {
    let run = try trainedOnArchive()
    let result = try succeed(["info", run.path, "--json"])
    let info = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    #expect(info["iteration"] as? Int == 2 && info["dataset"] as? String == "tiny.npz")
    #expect(info["steps"] as? Int == 3 && info["batch_size"] as? Int == 4 && info["class_names"] as? [String] == ["0", "1", "2"])
    #expect((info["options"] as? [String: Any])?["dataset"] as? String == "npz:\(root.appendingPathComponent("tiny.npz").path)")
    #expect((info["normalization"] as? [String: Any])?["name"] as? String == "minus-one-to-one")
    #expect((info["configuration"] as? [String: Any])?["iterations"] as? Int == 2 && info["components"] is [String: Any])
    let tensors = try #require(info["tensors"] as? [[String: Any]])
    let inputs = tensors.first { $0["name"] as? String == "curriculum.inputs" }
    #expect(inputs?["shape"] as? [Int] == [3, 4, 64] && inputs?["dtype"] as? String == "float32")
    let text = try succeed(["info", run.appendingPathComponent("checkpoint.safetensors").path]).standardOutput
    #expect(text.contains("iteration: 2") && text.contains("curriculum.inputs") && text.contains("dataset: tiny.npz (3 classes: 0, 1, 2)"))
  }

  @Test func trainsOnAnImageFolderAndEvaluates() throws {
    let folder = root.appendingPathComponent("pictures")
    try TinyFiles.writeImageFolder(to: folder)
    let run = root.appendingPathComponent("folder-run")
    try succeed(["train", "--dataset", "folder:\(folder.path)", "--output", run.path, "--learner", "conv"] + Self.quick)
    let options = try json(run.appendingPathComponent("options.json"))
    #expect(options["dataset"] as? String == "folder:\(folder.path)" && options["validationCount"] as? Int == 7)
    let result = try succeed(["evaluate", "--checkpoint", run.path, "--evaluation-steps", "1,3", "--evaluation-seeds", "1", "--json", "--quiet"])
    let evaluation = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    let accuracy = try #require(evaluation["accuracy_by_steps"] as? [String: [String: Double]])
    #expect(Set(accuracy.keys) == ["1", "3"] && evaluation["dataset"] as? String == "pictures" && evaluation["learner"] as? String == "conv")
    #expect(accuracy.values.allSatisfy { ($0["gtn"] ?? -1) >= 0 && ($0["real"] ?? -1) <= 1 })
    #expect(evaluation["precision"] as? String == "f32" && evaluation["precision_requested"] as? String == "f32")
    // bf16 runs where the CPU multiplies bfloat16 natively, else f32, and the
    // output says which.
    let bf16 = try succeed([
      "evaluate", "--checkpoint", run.path, "--evaluation-steps", "3", "--evaluation-seeds", "1", "--precision", "bf16", "--json", "--quiet",
    ])
    let reduced = try #require(try JSONSerialization.jsonObject(with: Data(bf16.standardOutput.utf8)) as? [String: Any])
    #expect(reduced["precision"] as? String == Precision.resolved(.bfloat16).precision.argumentDescription)
    #expect(reduced["precision_requested"] as? String == "bf16" && reduced["onednn_isa"] as? String == Precision.instructionSet)
    // Resuming on another source is refused, naming --dataset.
    let other = root.appendingPathComponent("other.npz")
    try TinyFiles.writeNPZ(to: other)
    let resumed = try gtn(["train", "--dataset", "npz:\(other.path)", "--output", run.path, "--resume", "--learner", "conv"] + Self.quick)
    #expect(resumed.status == 1 && resumed.standardError.contains("--dataset: folder:\(folder.path) in the checkpoint, npz:\(other.path) now"))
  }

  /// Meta-training draws `--real-batch-size` (8) real images at a time, an
  /// evaluation's real-data learners only `--batch-size` (4): a training
  /// split of 6 images carries the evaluation, not the training.
  @Test func evaluatesOnATrainingSplitSmallerThanTheRealBatch() throws {
    let run = try trainedOnArchive()
    let archive = "npz:\(root.appendingPathComponent("tiny.npz").path)"
    let result = try succeed([
      "evaluate", "--checkpoint", run.path, "--dataset", archive, "--validation-count", "54", "--evaluation-steps", "3,6",
      "--evaluation-seeds", "1", "--json", "--quiet",
    ])
    let evaluation = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    let accuracy = try #require(evaluation["accuracy_by_steps"] as? [String: [String: Double]])
    #expect(Set(accuracy.keys) == ["3", "6"] && accuracy.values.allSatisfy { ($0["real"] ?? -1) >= 0 && ($0["real"] ?? 2) <= 1 })
    let refused = try gtn(
      ["train", "--dataset", archive, "--validation-count", "54", "--output", root.appendingPathComponent("never").path] + Self.quick)
    #expect(refused.exitedNormally && refused.status == 1, "status \(refused.status): \(refused.standardError)")
    #expect(refused.standardError.contains("--real-batch-size 8 is larger than the training split (6 images"), "\(refused.standardError)")
  }

  @Test(arguments: [
    (["sample", "--checkpoint", "x", "--format", "jpeg", "--output", "o"], "--format expects one of npy, safetensors, png-folder, idx"),
    (["sample", "--format", "npy", "--output", "o"], "--checkpoint CKPT is required"),
    (["sample", "--checkpoint", "x", "--output", "o"], "--format is required"),
    (["info"], "a checkpoint is required"),
    (["info", "a", "b"], "unexpected argument 'b'"),
    (["train", "--dataset", "tar:x.tar"], "--dataset expects one of mnist, fashion-mnist, cifar10, npz:FILE"),
    (["train", "--images-tensor", "x"], "--images-tensor names a tensor of a safetensors file"),
    (["train", "--augment", "--no-augment"], "--no-augment conflicts with --augment"),
    (["evaluate", "--dataset", "npz:x", "--labels-tensor", "y", "--checkpoint", "c"], "--labels-tensor name tensors of a safetensors file"),
    (["evaluate", "--checkpoint", "c", "--bogus"], "unknown option '--bogus'"),
    (["evaluate", "--checkpoint", "c", "--dataset", "npz:x", "--data-dir", "d"], "--data-dir d locates the bundled datasets"),
    (["train", "--dataset", "npz:x", "--data-dir", "d"], "--data-dir d locates the bundled datasets"),
    (["bogus"], "unknown subcommand 'bogus'"),
  ])
  func badFlagsExitWithStatus2(arguments: [String], message: String) throws {
    let result = try gtn(arguments)
    #expect(result.exitedNormally && result.status == 2, "status \(result.status): \(result.standardError)")
    #expect(result.standardError.contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }

  @Test func writesASelfContainedReportWhoseCurvesSurviveAResume() throws {
    let file = root.appendingPathComponent("tiny.npz")
    try TinyFiles.writeNPZ(to: file)
    let output = root.appendingPathComponent("report-run")
    let run = ["train", "--dataset", "npz:\(file.path)", "--validation-count", "10", "--output", output.path, "--checkpoint-every", "2"]
      + Self.quick.dropFirst(2)
    try succeed(run + ["--outer-iterations", "4"])
    try succeed(run + ["--outer-iterations", "7", "--resume"])

    let csv = try String(contentsOf: output.appendingPathComponent("training.csv"), encoding: .utf8)
    let history = try MetaTrainingHistory(csv: csv, file: "training.csv")
    #expect(history.rows.map(\.iteration) == Array(1...7))
    #expect(zip(history.rows, history.rows.dropFirst()).allSatisfy { $0.seconds <= $1.seconds })
    #expect(history.rows.allSatisfy { $0.metaLoss.isFinite && (0...1).contains($0.realBatchAccuracy) })

    let page = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>\n") && !page.contains("<script"))
    #expect(page.contains("tiny.npz") && page.contains("resumed at iteration 4") && page.contains("7 outer iterations"))
    #expect(page.components(separatedBy: "<svg ").count - 1 == 4, "accuracy, meta-loss, real-batch accuracy, schedule")
    // Nothing outside the page: every source is an embedded PNG, no links.
    let sources = page.components(separatedBy: " src=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    #expect(sources.count == 1 && !page.contains(" href="))
    for source in sources {
      let prefix = "data:image/png;base64,"
      let bytes = try #require(source.hasPrefix(prefix) ? Data(base64Encoded: String(source.dropFirst(prefix.count))) : nil)
      #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }
  }

  /// A time budget covers the runs a resumed run continues: one whose
  /// budget they used up evaluates the checkpoint without another step.
  @Test func aResumedRunCountsTheTimeOfTheRunsBefore() throws {
    let file = root.appendingPathComponent("tiny-budget.npz")
    try TinyFiles.writeNPZ(to: file)
    let output = root.appendingPathComponent("budget-run")
    let run = ["train", "--dataset", "npz:\(file.path)", "--validation-count", "10", "--output", output.path]
      + Self.quick.dropFirst(2)
    try succeed(run + ["--outer-iterations", "4"])
    let resumed = try succeed(run + ["--outer-iterations", "7", "--resume", "--time-budget", "0.0001"])
    #expect(resumed.standardOutput.contains("\"completed_outer_iterations\":4"), "\(resumed.standardOutput)")
  }

  @Test func badFilesExitWithStatus1NamingThem() throws {
    let broken = root.appendingPathComponent("broken.npz")
    try Data("not an archive".utf8).write(to: broken)
    for arguments in [
      ["train", "--dataset", "npz:\(broken.path)", "--output", root.appendingPathComponent("never").path] + Self.quick,
      ["info", broken.path],
      ["sample", "--checkpoint", broken.path, "--format", "npy", "--output", root.appendingPathComponent("never").path],
      ["evaluate", "--checkpoint", root.appendingPathComponent("missing.safetensors").path],
    ] {
      let result = try gtn(arguments)
      #expect(result.exitedNormally && result.status == 1, "\(arguments): status \(result.status): \(result.standardError)")
      #expect(result.standardError.contains("broken.npz") || result.standardError.contains("missing.safetensors"), "\(result.standardError)")
    }
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("never").path))
  }

  @Test func helpDescribesEverySubcommand() throws {
    let overview = try succeed(["--help"]).standardOutput
    #expect(["train", "info", "sample", "evaluate"].allSatisfy { overview.contains("  \($0) ") })
    let train = try succeed(["train", "--help"]).standardOutput
    #expect(train.contains("--dataset SOURCE") && train.contains("npz:FILE") && train.contains("--images-tensor NAME") && train.contains("--paper"))
    let sample = try succeed(["sample", "--help"]).standardOutput
    #expect(sample.contains("--format FORMAT") && sample.contains("png-folder:") && sample.contains("--count N") && sample.contains("schedule.json"))
    #expect(try succeed(["info", "--help"]).standardOutput.contains("ARGUMENTS:"))
    #expect(try succeed(["evaluate", "--help"]).standardOutput.contains("--learner NAME"))
    #expect(try gtn([]).status == 2)
  }
}
