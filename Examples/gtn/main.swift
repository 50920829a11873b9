// gtn — Generative Teaching Networks on any dataset: meta-train on a bundled
// dataset or on your own files, inspect a checkpoint, export the learned
// curriculum for other frameworks, and evaluate it against real data.

import Foundation
import GTNAutodiff
import _GTNExamplesSupport

/// The subcommands, their one-line descriptions and entry points.
let subcommands: [(name: String, summary: String, run: ([String]) -> Never)] = [
  ("train", "Meta-train a GTN on mnist, fashion-mnist, cifar10, npz:FILE, safetensors:FILE or folder:DIR", runTrain),
  ("info", "Show what a checkpoint holds (--json for JSON)", runInfo),
  ("sample", "Write the learned curriculum as npy, safetensors, png-folder or idx files with schedule.json", runSample),
  ("evaluate", "Train fresh learners on a checkpoint's GTN data and on real data; accuracy by step count", runEvaluate),
]

let overview = """
  USAGE: gtn SUBCOMMAND [options]

  Generative Teaching Networks: a generator and a learned curriculum make synthetic training data on which fresh \
  learners train in a few SGD steps.

  SUBCOMMANDS:
  \(subcommands.map { "  " + $0.name.paddedForOverview + $0.summary }.joined(separator: "\n"))

  Run gtn SUBCOMMAND --help for a subcommand's options.
  """

extension String {
  /// The name padded to the overview's column.
  var paddedForOverview: String { count >= 12 ? self + " " : self + String(repeating: " ", count: 12 - count) }
}

BLASRuntime.reexecutingWithFastKernelIfNeeded()
let arguments = Array(CommandLine.arguments.dropFirst())
guard let first = arguments.first else {
  FileHandle.standardError.write(Data((overview + "\n").utf8))
  exit(2)
}
if first == "--help" || first == "-h" || first == "help" {
  print(overview)
  exit(0)
}
guard let subcommand = subcommands.first(where: { $0.name == first }) else {
  fail("gtn", "unknown subcommand '\(first)': use one of \(subcommands.map(\.name).joined(separator: ", ")) (see gtn --help)", code: 2)
}
subcommand.run(Array(arguments.dropFirst()))
