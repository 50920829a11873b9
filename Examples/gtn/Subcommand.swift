// What every gtn subcommand shares: parsing its table with the examples'
// declarative parser (help on --help, usage errors exit 2), failing with
// exit 1 naming the file, and finding a checkpoint given as a file or as a
// run's output folder.

import Foundation
import GTNCore
import GTNData
import _GTNExamplesSupport

/// Prints `message` as `program: message` on stderr and exits with `code`
/// (2: the command line; 1: the files or the run).
func fail(_ program: String, _ message: String, code: Int32) -> Never {
  FileHandle.standardError.write(Data("\(program): \(message)\n".utf8))
  exit(code)
}

/// Parses `arguments` with `parser` into `defaults`: prints the help and
/// exits 0 on `--help`, exits 2 on a usage error; then `check` may reject
/// the combination (exit 2).
func parseSubcommand<Root>(
  _ program: String, _ arguments: [String], parser: CommandLineParser<Root>, defaults: Root, usage: String, summary: String,
  epilogue: String = "", check: (Root) throws(UsageError) -> Void = { _ throws(UsageError) in }
) -> Root {
  do {
    switch try parser.parse(arguments, defaults: defaults) {
    case .help:
      print(parser.helpText(program: program, arguments: usage, summary: summary, defaults: defaults, epilogue: epilogue))
      exit(0)
    case .run(let options):
      try check(options)
      return options
    }
  } catch {
    fail(program, "\(error)", code: 2)
  }
}

/// The checkpoint file `path` names: the file itself, or
/// `checkpoint.safetensors` inside a run's output folder.
///
/// Exits 1 naming the path when it cannot be read.
func checkpointFile(_ program: String, _ path: String) -> URL {
  var isDirectory: ObjCBool = false
  var url = URL(fileURLWithPath: path)
  if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
    url = url.appendingPathComponent("checkpoint.safetensors")
  }
  if let problem = fileProblem(url.path) { fail(program, "\(url.path): \(problem)", code: 1) }
  return url
}

/// Runs `body`, exiting 1 with its error in plain words if it throws.
func runOrFail<R>(_ program: String, _ body: () throws -> R) -> R {
  do { return try body() } catch { fail(program, plainWords(error), code: 1) }
}

extension CommandLineOption {
  /// `--checkpoint CKPT`, the trained GTN that `gtn sample` and `gtn evaluate` read.
  static func checkpoint(_ keyPath: WritableKeyPath<Root, String?>) -> CommandLineOption {
    CommandLineOption("--checkpoint", keyPath, valueName: "CKPT",
                      help: "The checkpoint: a file, or a run's output folder holding checkpoint.safetensors (required)")
  }
}
