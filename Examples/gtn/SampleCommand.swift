// gtn sample: a trained GTN's synthetic data as files another framework
// reads, with the learned schedule to replay the curriculum.

import Foundation
import GTNCore
import _GTNExamplesSupport

/// `gtn sample`'s options.
struct SampleOptions {
  var checkpoint: String?
  var format: SyntheticDataExport.Format?
  var output: String?
  var count: Int?
  var seed: UInt64 = 0

  static var parser: CommandLineParser<SampleOptions> {
    CommandLineParser(options: [
      .checkpoint(\.checkpoint),
      CommandLineOption("--format", \.format, valueName: "FORMAT",
                        help: "npy: images.npy (float32 N×C×H×W) and labels.npy (int64); safetensors: samples.safetensors with "
                          + "images and labels; png-folder: DIR/<class>/<index>.png (8-bit); idx: train-images-idx3-ubyte (idx4 "
                          + "for colour) and train-labels-idx1-ubyte (required)"),
      CommandLineOption("--output", \.output, valueName: "DIR", help: "The folder to write into, created if missing (required)"),
      CommandLineOption("--count", \.count, valueName: "N", bounds: 1...10_000_000,
                        help: "Samples to write: the first N of the curriculum's T×B; beyond T×B, a conditional generator adds "
                          + "fresh samples from Gaussian noise, classes in turn (default: T×B)"),
      CommandLineOption("--seed", \.seed, valueName: "S", bounds: 0...UInt64.max,
                        help: "Seed of the fresh samples and of curricula with randomness"),
    ])
  }
}

/// Writes the learned curriculum's samples and `schedule.json`.
func runSample(_ arguments: [String]) -> Never {
  let program = "gtn sample"
  let options = parseSubcommand(
    program, arguments, parser: SampleOptions.parser, defaults: SampleOptions(),
    usage: "--checkpoint CKPT --format npy|safetensors|png-folder|idx --output DIR [--count N]",
    summary: "Writes a trained GTN's synthetic images and labels, T×B samples in step order (sample t·B+i is sample i of step "
      + "t), and schedule.json beside them with the learned per-step learning rates and momenta, the batch size and the step "
      + "count, so that another framework can replay the curriculum exactly.",
    epilogue: "Pixel formats (png-folder, idx) map the generator's range [-1, 1] to 0…255. Files are replaced atomically."
  ) { (o: SampleOptions) throws(UsageError) in
    guard o.checkpoint != nil else { throw UsageError(message: "--checkpoint CKPT is required (see --help)") }
    guard o.format != nil else {
      throw UsageError(message: "--format is required: one of \(SyntheticDataExport.Format.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard o.output != nil else { throw UsageError(message: "--output DIR is required (see --help)") }
  }
  guard let checkpoint = options.checkpoint, let format = options.format, let output = options.output else { exit(2) }
  let url = checkpointFile(program, checkpoint)
  let info = runOrFail(program) { try CheckpointInfo(contentsOf: url) }
  let trainer = runOrFail(program) { try MetaTrainer(restoringFrom: url) }
  let range: ClosedRange<Float> = info.normalization.flatMap { n in
    n.range.count == 2 && n.range[0] < n.range[1] ? Float(n.range[0])...Float(n.range[1]) : nil
  } ?? -1...1
  let export = runOrFail(program) {
    try SyntheticDataExport(trainer: trainer, count: options.count, classNames: info.classNames, range: range, seed: options.seed)
  }
  let folder = runOrFail(program) { try OutputFolder(URL(fileURLWithPath: output, isDirectory: true)) }
  folder.removeStaleTemporaries()
  let files: [String]
  do { files = try export.write(format, to: folder.url) } catch {
    folder.release(removingCreatedFolders: true)
    fail(program, plainWords(error), code: 1)
  }
  let shown = format == .pngFolder
    ? "\(files.count - 1) PNG files in \(Set(export.samples.labels).count) class folders, schedule.json"
    : files.joined(separator: ", ")
  let fresh = export.freshSampleCount > 0 ? " + \(export.freshSampleCount) fresh" : ""
  print("gtn sample: \(export.samples.count) samples (\(export.stepCount) steps × \(export.batchSize)\(fresh), "
        + "\(export.samples.classNames.count) classes, images \(export.samples.imageShape)) as \(format.rawValue) in \(folder.url.path): \(shown)")
  folder.release(removingCreatedFolders: false)
  exit(0)
}
