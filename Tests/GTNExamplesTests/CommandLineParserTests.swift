import Foundation
import Testing
import _GTNExamplesSupport

/// A table with one option of every value type.
private enum Shade: String, CaseIterable, CommandLineValue {
  case light, dark
  case midGrey = "mid-grey"
}

private struct Settings {
  var count = 3
  var seed: UInt64 = 0
  var rate = 0.5
  var ratio: Float = 0.25
  var name = "x"
  var note: String? = nil
  var steps = [1, 2]
  var shades: [Shade] = [.light]
  var shade = Shade.light
  var limit: Int? = nil
  var verbose = false
  var size = 1

  static var parser: CommandLineParser<Settings> { CommandLineParser(options: [
    CommandLineOption("--count", \.count, valueName: "N", bounds: 1...10, help: "A count"),
    CommandLineOption("--seed", \.seed, valueName: "S", bounds: 0...UInt64.max, help: "A seed"),
    CommandLineOption("--rate", \.rate, valueName: "R", bounds: .greaterThan(0, atMost: 10), help: "A rate"),
    CommandLineOption("--ratio", \.ratio, valueName: "Q", bounds: .strictlyBetween(0, 1), help: "A ratio"),
    CommandLineOption("--name", \.name, valueName: "NAME", help: "A name"),
    CommandLineOption("--note", \.note, valueName: "TEXT", help: "A note"),
    CommandLineOption("--steps", \.steps, valueName: "K,...", bounds: 1...100, help: "Step counts"),
    CommandLineOption("--shades", \.shades, valueName: "A,B", help: "Shades"),
    CommandLineOption("--shade", \.shade, valueName: "SHADE", help: "A shade"),
    CommandLineOption("--limit", \.limit, valueName: "L", bounds: 0...5, help: "A limit"),
    .flag("--verbose", \.verbose, help: "Talk"),
    .preset("--big", help: "Large sizes") { $0.size = 100; $0.count = 10 },
  ]) }

  static func parse(_ arguments: [String]) throws(UsageError) -> Settings {
    guard case .run(let settings) = try parser.parse(arguments, defaults: Settings()) else {
      throw UsageError(message: "help")
    }
    return settings
  }
}

struct CommandLineParserTests {
  @Test func parsesEveryValueType() throws {
    let s = try Settings.parse([
      "--count", "7", "--seed", "18446744073709551615", "--rate", "2.5e-1", "--ratio", "0.75", "--name", "a b",
      "--note", "-dash", "--steps", "3, 9,100", "--shades", "dark,mid-grey", "--shade", "mid-grey", "--limit", "0", "--verbose",
    ])
    #expect(s.count == 7 && s.seed == UInt64.max && s.rate == 0.25 && s.ratio == 0.75 && s.name == "a b")
    #expect(s.note == "-dash" && s.steps == [3, 9, 100] && s.shades == [.dark, .midGrey] && s.shade == .midGrey)
    #expect(s.limit == 0 && s.verbose)
    let defaults = try Settings.parse([])
    #expect(defaults.count == 3 && defaults.note == nil && defaults.limit == nil && !defaults.verbose)
  }

  @Test func acceptsTheEqualsForm() throws {
    let s = try Settings.parse(["--count=4", "--name=k=v", "--steps=5,6", "--shade=dark"])
    #expect(s.count == 4 && s.name == "k=v" && s.steps == [5, 6] && s.shade == .dark)
  }

  @Test func presetsComeFirstAndExplicitFlagsWin() throws {
    #expect(try Settings.parse(["--big"]).count == 10)
    #expect(try Settings.parse(["--big", "--count", "2"]).count == 2)
    #expect(try Settings.parse(["--count", "2", "--big"]).count == 2)
    #expect(try Settings.parse(["--count", "2", "--big"]).size == 100)
  }

  @Test func helpIsAnOutcome() throws {
    guard case .help = try Settings.parser.parse(["--count", "2", "--help"], defaults: Settings()) else {
      Issue.record("--help did not ask for help")
      return
    }
  }

  @Test(arguments: [
    (["--count", "11"], "--count expects an integer in [1, 10], got '11'"),
    (["--count", " 3"], "--count expects an integer in [1, 10], got ' 3'"),
    (["--count", "3.0"], "--count expects an integer in [1, 10], got '3.0'"),
    (["--count", "99999999999999999999"], "--count expects an integer in [1, 10], got '99999999999999999999'"),
    (["--seed", "18446744073709551616"], "--seed expects an integer in [0, 18446744073709551615], got '18446744073709551616'"),
    (["--rate", "0"], "--rate expects a finite number in (0, 10], got '0'"),
    (["--rate", "10.5"], "--rate expects a finite number in (0, 10], got '10.5'"),
    (["--rate", "inf"], "--rate expects a finite number in (0, 10], got 'inf'"),
    (["--rate", "NaN"], "--rate expects a finite number in (0, 10], got 'NaN'"),
    (["--rate", "1x"], "--rate expects a finite number in (0, 10], got '1x'"),
    (["--ratio", "1e39"], "--ratio expects a finite number in (0, 1), got '1e39'"),
    (["--ratio", "1"], "--ratio expects a finite number in (0, 1), got '1'"),
    (["--steps", "1,101"], "--steps expects comma-separated values, each an integer in [1, 100], got '1,101'"),
    (["--steps", ""], "--steps needs a value"),
    (["--steps", ","], "--steps expects comma-separated values, each an integer in [1, 100], got ','"),
    (["--shades", "dark,blue"], "--shades expects comma-separated names from light, dark, mid-grey, got 'dark,blue'"),
    (["--shade", "blue"], "--shade expects one of light, dark, mid-grey, got 'blue'"),
    (["--limit", "6"], "--limit expects an integer in [0, 5], got '6'"),
    (["--name", "--verbose"], "--name needs a value"),
    (["--name"], "--name needs a value"),
    (["--verbose=1"], "--verbose takes no value, got '--verbose=1'"),
    (["--verbose", "--verbose"], "--verbose is given twice"),
    (["--count", "2", "--count=3"], "--count is given twice"),
    (["-x"], "unknown option '-x' (see --help)"),
    (["--Count", "2"], "unknown option '--Count' (see --help)"),
    (["7"], "unexpected argument '7' (see --help)"),
  ])
  func rejectsBadArguments(arguments: [String], message: String) {
    #expect(throws: UsageError(message: message)) { try Settings.parse(arguments) }
  }

  @Test func helpShowsEveryOptionWithDefaultsAndBounds() {
    let help = Settings.parser.helpText(program: "tool", summary: "Does things.", defaults: Settings(), epilogue: "Writes files.")
    for option in Settings.parser.options {
      #expect(help.contains("  \(option.name)"), "help lacks \(option.name)")
    }
    for text in ["USAGE: tool [options]", "Does things.", "--count N", "A count (default: 3; range [1, 10])",
                 "(default: 0.5; range (0, 10])", "range (0, 1)", "(default: 1,2; range [1, 100])", "one of light, dark, mid-grey",
                 "--limit L", "A limit (range [0, 5])", "--verbose", "--big", "-h, --help", "Writes files."] {
      #expect(help.contains(text), "help lacks '\(text)'")
    }
    #expect(!help.contains("Talk (default"))
  }

  @Test func boundsDescribeThemselves() {
    #expect(CommandLineBounds(1...4096).description == "[1, 4096]")
    #expect(CommandLineBounds<Float>.greaterThan(0, atMost: 10).description == "(0, 10]")
    #expect(CommandLineBounds<Double>.strictlyBetween(0, 1).description == "(0, 1)")
    #expect(CommandLineBounds<Double>.strictlyBetween(0, 1).contains(0.5))
    #expect(!CommandLineBounds<Double>.strictlyBetween(0, 1).contains(1))
  }

  @Test func argumentsReproduceAValue() throws {
    var s = Settings()
    s.count = 9
    s.verbose = true
    s.limit = 2
    #expect(Settings.parser.arguments(for: s, comparedWith: Settings()) == ["--count", "9", "--limit", "2", "--verbose"])
    let again = try Settings.parse(Settings.parser.arguments(for: s))
    #expect(again.count == 9 && again.verbose && again.limit == 2 && again.steps == [1, 2])
  }
}

/// A table with a positional argument that a flag can also set.
private struct Inspect {
  var file: String? = nil
  var json = false

  static var parser: CommandLineParser<Inspect> {
    CommandLineParser(
      options: [
        CommandLineOption("--file", \.file, valueName: "FILE", help: "The file"),
        .flag("--json", \.json, help: "JSON"),
      ],
      positional: CommandLineOption("FILE", \.file, valueName: "FILE", help: "The file to inspect"))
  }

  static func parse(_ arguments: [String]) throws(UsageError) -> Inspect? {
    guard case .run(let inspect) = try parser.parse(arguments, defaults: Inspect()) else { return nil }
    return inspect
  }
}

@Suite struct PositionalArgumentTests {
  @Test func takesThePositionalArgumentAnywhere() throws {
    #expect(try Inspect.parse(["a.ckpt", "--json"])?.file == "a.ckpt")
    #expect(try Inspect.parse(["--json", "a.ckpt"])?.json == true)
    #expect(try Inspect.parse(["--file", "b"])?.file == "b")
    #expect(try Inspect.parse([])?.file == nil)
  }

  @Test func refusesASecondArgumentOrTheFlagAsWell() {
    #expect(throws: UsageError(message: "unexpected argument 'b' (see --help)")) { try Inspect.parse(["a", "b"]) }
    #expect(throws: UsageError(message: "FILE 'a' conflicts with --file")) { try Inspect.parse(["--file", "b", "a"]) }
    #expect(throws: UsageError(message: "--file conflicts with the argument a")) { try Inspect.parse(["a", "--file", "b"]) }
  }

  @Test func helpListsTheArgument() {
    let help = Inspect.parser.helpText(program: "inspect", arguments: "FILE [--json]", summary: "Inspects.", defaults: Inspect())
    #expect(help.contains("USAGE: inspect FILE [--json]") && help.contains("ARGUMENTS:\n  FILE") && help.contains("The file to inspect"))
  }
}
