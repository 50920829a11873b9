// gtn info CKPT: what a checkpoint holds.

import Foundation
import _GTNExamplesSupport

/// `gtn info`'s options.
struct InfoOptions {
  var checkpoint: String?
  var json = false

  static var parser: CommandLineParser<InfoOptions> {
    CommandLineParser(
      options: [.flag("--json", \.json, help: "Print the report as one JSON object")],
      positional: CommandLineOption(
        "CKPT", \.checkpoint, valueName: "CKPT", help: "A checkpoint file, or a run's output folder holding checkpoint.safetensors"))
  }
}

/// Prints what the checkpoint holds: its iteration, dataset and class
/// names, the run's options, configuration and components, the pixel
/// scaling, and every tensor's name and shape.
func runInfo(_ arguments: [String]) -> Never {
  let program = "gtn info"
  let options = parseSubcommand(
    program, arguments, parser: InfoOptions.parser, defaults: InfoOptions(), usage: "CKPT [--json]",
    summary: "Shows what a checkpoint holds: iteration, dataset and classes, the run's options, configuration and components, "
      + "and the names and shapes of its tensors."
  ) { (o: InfoOptions) throws(UsageError) in
    guard o.checkpoint != nil else { throw UsageError(message: "a checkpoint is required: gtn info CKPT (see --help)") }
  }
  let url = checkpointFile(program, options.checkpoint ?? "")
  let info = runOrFail(program) { try CheckpointInfo(contentsOf: url) }
  if options.json {
    print(String(decoding: runOrFail(program) { try info.jsonData() }, as: UTF8.self))
  } else {
    print(info.text)
  }
  exit(0)
}
