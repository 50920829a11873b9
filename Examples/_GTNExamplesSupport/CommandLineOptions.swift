// A small declarative command-line parser: every option is declared once, in
// a table of `CommandLineOption`s (name, value name, type, bounds, help); the
// parser and the `--help` text are both generated from that table, and the
// defaults come from the value the table parses into.

/// A command-line argument that cannot be used: an unknown flag, a missing or
/// malformed value, a value out of bounds, a flag given twice.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What is wrong, naming the flag and the text given.
  public var message: String

  /// Creates an error with `message`.
  public init(message: String) { self.message = message }

  public var description: String { message }
}

// MARK: - Value types

/// A type whose values can be given on the command line as one argument.
public protocol CommandLineValue {
  /// What a valid argument looks like, for error messages: `"an integer"`,
  /// `"one of mlp, conv"`.
  static var expectation: String { get }

  /// The choices `--help` lists (`nil`: not a fixed set).
  static var choices: [String]? { get }

  /// The value `argument` spells, or `nil` when it spells none. Numbers must
  /// parse in full and be finite.
  init?(argument: String)

  /// The argument that spells this value (parsing it gives the value back).
  var argumentDescription: String { get }
}

extension CommandLineValue {
  public static var choices: [String]? { nil }
}

/// A ``CommandLineValue`` whose numbers can be bounded (for lists: every
/// element).
public protocol BoundedCommandLineValue: CommandLineValue {
  /// The type of the bounded numbers.
  associatedtype Bound: Comparable

  /// The numbers the bounds apply to.
  var boundedComponents: [Bound] { get }
}

extension Int: BoundedCommandLineValue {
  public static var expectation: String { "an integer" }
  public init?(argument: String) { self.init(argument, radix: 10) }
  public var argumentDescription: String { String(self) }
  public var boundedComponents: [Int] { [self] }
}

extension UInt64: BoundedCommandLineValue {
  public static var expectation: String { "an integer" }
  public init?(argument: String) { self.init(argument, radix: 10) }
  public var argumentDescription: String { String(self) }
  public var boundedComponents: [UInt64] { [self] }
}

extension Float: BoundedCommandLineValue {
  public static var expectation: String { "a finite number" }
  public init?(argument: String) {
    guard let value = Float(argument), value.isFinite else { return nil }
    self = value
  }
  public var argumentDescription: String { description.removingTrailingPointZero() }
  public var boundedComponents: [Float] { [self] }
}

extension Double: BoundedCommandLineValue {
  public static var expectation: String { "a finite number" }
  public init?(argument: String) {
    guard let value = Double(argument), value.isFinite else { return nil }
    self = value
  }
  public var argumentDescription: String { description.removingTrailingPointZero() }
  public var boundedComponents: [Double] { [self] }
}

extension String: CommandLineValue {
  public static var expectation: String { "a non-empty value" }
  public init?(argument: String) {
    guard !argument.isEmpty else { return nil }
    self = argument
  }
  public var argumentDescription: String { self }
}

/// Comma-separated lists, such as `8,16,32` (spaces around the elements are
/// ignored; empty elements are not allowed).
extension Array: CommandLineValue where Element: CommandLineValue {
  public static var expectation: String {
    if let choices = Element.choices { return "comma-separated names from \(choices.joined(separator: ", "))" }
    return "comma-separated values, each \(Element.expectation)"
  }
  public static var choices: [String]? { Element.choices }
  public init?(argument: String) {
    var elements: [Element] = []
    for text in argument.split(separator: ",", omittingEmptySubsequences: false) {
      guard let element = Element(argument: text.trimmingSpaces()) else { return nil }
      elements.append(element)
    }
    guard !elements.isEmpty else { return nil }
    self = elements
  }
  public var argumentDescription: String { map(\.argumentDescription).joined(separator: ",") }
}

extension Array: BoundedCommandLineValue where Element: BoundedCommandLineValue {
  public var boundedComponents: [Element.Bound] { flatMap(\.boundedComponents) }
}

/// Enumerations spelled by their raw values (`--curriculum shuffled`).
extension CommandLineValue where Self: CaseIterable & RawRepresentable<String> {
  public static var expectation: String { "one of \(allCases.map(\.rawValue).joined(separator: ", "))" }
  public static var choices: [String]? { allCases.map(\.rawValue) }
  public init?(argument: String) { self.init(rawValue: argument) }
  public var argumentDescription: String { rawValue }
}

extension Substring {
  /// The text without leading and trailing spaces and tabs.
  func trimmingSpaces() -> String {
    let isSpace = { (c: Character) in c == " " || c == "\t" }
    return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
  }
}

// MARK: - Bounds

/// The interval a number given on the command line must lie in, with each
/// end open or closed; shown in interval notation: `[1, 4096]`, `(0, 10]`.
public struct CommandLineBounds<Bound: Comparable> {
  /// The lower end.
  public var lower: Bound
  /// Whether `lower` itself is allowed.
  public var includesLower: Bool
  /// The upper end.
  public var upper: Bound
  /// Whether `upper` itself is allowed.
  public var includesUpper: Bool

  /// The interval between `lower` and `upper`, each end included or not.
  public init(lower: Bound, includesLower: Bool, upper: Bound, includesUpper: Bool) {
    precondition(lower <= upper, "CommandLineBounds: lower end above upper end")
    self.lower = lower
    self.includesLower = includesLower
    self.upper = upper
    self.includesUpper = includesUpper
  }

  /// The closed interval `range`.
  public init(_ range: ClosedRange<Bound>) {
    self.init(lower: range.lowerBound, includesLower: true, upper: range.upperBound, includesUpper: true)
  }

  /// The interval (`lower`, `upper`]: above `lower`, at most `upper`.
  public static func greaterThan(_ lower: Bound, atMost upper: Bound) -> Self {
    Self(lower: lower, includesLower: false, upper: upper, includesUpper: true)
  }

  /// The open interval (`lower`, `upper`).
  public static func strictlyBetween(_ lower: Bound, _ upper: Bound) -> Self {
    Self(lower: lower, includesLower: false, upper: upper, includesUpper: false)
  }

  /// Whether `value` lies in the interval.
  public func contains(_ value: Bound) -> Bool {
    (includesLower ? value >= lower : value > lower) && (includesUpper ? value <= upper : value < upper)
  }
}

extension CommandLineBounds: CustomStringConvertible where Bound: CommandLineValue {
  /// The interval in interval notation.
  public var description: String {
    "\(includesLower ? "[" : "(")\(lower.argumentDescription), \(upper.argumentDescription)\(includesUpper ? "]" : ")")"
  }
}

// MARK: - Options

/// One command-line option of a table that parses into a `Root` value (the
/// options struct): a flag with a value (`--inner-steps 32` or
/// `--inner-steps=32`), a flag without one (`--resume`), or a preset that
/// sets several properties (`--paper`) and is applied before every other
/// flag, so explicit flags win regardless of order.
public struct CommandLineOption<Root> {
  /// How the option takes its argument.
  public enum Kind {
    /// Takes a value, shown in `--help` as `valueName`.
    case value(valueName: String)
    /// Takes no value.
    case flag
    /// Takes no value and is applied before the other options.
    case preset
  }

  /// The flag, such as `--inner-steps`.
  public let name: String
  /// How the option takes its argument.
  public let kind: Kind
  /// The option's help text, without its default and bounds.
  public let help: String
  /// What the option accepts, for `--help` (`"range [1, 4096]"`,
  /// `"one of mlp, conv"`).
  public let allowedValues: String?
  /// The property the option sets (options setting the same property may not
  /// both be given); `nil` for presets.
  let property: AnyKeyPath?
  /// The option's current value in `root` as an argument (`nil`: unset; for
  /// flags: `""` when set).
  let currentArgument: (Root) -> String?
  /// For flags: the value they set.
  let flagSetting: Bool?
  /// Applies the option with its argument (`""` for flags and presets).
  let apply: (inout Root, String) throws(UsageError) -> Void

  /// The general form: parses a `Value`, checks it with `isAllowed`, stores
  /// `transform(value)` at `keyPath`.
  public init<Value: CommandLineValue, Target>(
    _ name: String, _ keyPath: WritableKeyPath<Root, Target>, valueName: String, allowedValues: String?,
    expectation: String, help: String, isAllowed: @escaping (Value) -> Bool, transform: @escaping (Value) -> Target,
    currentArgument: @escaping (Target) -> String?
  ) {
    self.name = name
    self.kind = .value(valueName: valueName)
    self.help = help
    self.allowedValues = allowedValues
    self.property = keyPath
    self.flagSetting = nil
    self.currentArgument = { currentArgument($0[keyPath: keyPath]) }
    self.apply = { (root: inout Root, text: String) throws(UsageError) in
      guard let value = Value(argument: text), isAllowed(value) else {
        throw UsageError(message: "\(name) expects \(expectation), got '\(text)'")
      }
      root[keyPath: keyPath] = transform(value)
    }
  }

  private init(
    name: String, kind: Kind, help: String, property: AnyKeyPath?, flagSetting: Bool?, currentArgument: @escaping (Root) -> String?,
    apply: @escaping (inout Root, String) -> Void
  ) {
    self.name = name
    self.kind = kind
    self.help = help
    self.allowedValues = nil
    self.property = property
    self.flagSetting = flagSetting
    self.currentArgument = currentArgument
    self.apply = { (root: inout Root, text: String) throws(UsageError) in apply(&root, text) }
  }

  /// An option with a value of any `Value` (texts, enumerations, lists).
  public init<Value: CommandLineValue>(_ name: String, _ keyPath: WritableKeyPath<Root, Value>, valueName: String, help: String) {
    self.init(
      name, keyPath, valueName: valueName, allowedValues: Value.choices.map { "one of \($0.joined(separator: ", "))" }, expectation: Value.expectation,
      help: help, isAllowed: { (_: Value) in true }, transform: { $0 }, currentArgument: { $0.argumentDescription })
  }

  /// An optional option with a value of any `Value` (unset by default).
  public init<Value: CommandLineValue>(_ name: String, _ keyPath: WritableKeyPath<Root, Value?>, valueName: String, help: String) {
    self.init(
      name, keyPath, valueName: valueName, allowedValues: Value.choices.map { "one of \($0.joined(separator: ", "))" }, expectation: Value.expectation,
      help: help, isAllowed: { (_: Value) in true }, transform: { $0 }, currentArgument: { $0?.argumentDescription })
  }

  /// An option whose value must be one of `choices`.
  public init<Value: CommandLineValue & Equatable>(
    _ name: String, _ keyPath: WritableKeyPath<Root, Value>, valueName: String, choices: [Value], help: String
  ) {
    let names = choices.map(\.argumentDescription)
    self.init(
      name, keyPath, valueName: valueName, allowedValues: "one of \(names.joined(separator: ", "))",
      expectation: "one of \(names.joined(separator: ", "))", help: help, isAllowed: { choices.contains($0) }, transform: { $0 },
      currentArgument: { $0.argumentDescription })
  }

  /// A number (or list of numbers) within `bounds`.
  public init<Value: BoundedCommandLineValue>(
    _ name: String, _ keyPath: WritableKeyPath<Root, Value>, valueName: String, bounds: CommandLineBounds<Value.Bound>, help: String
  ) where Value.Bound: CommandLineValue {
    self.init(
      name, keyPath, valueName: valueName, allowedValues: "range \(bounds)", expectation: "\(Value.expectation) in \(bounds)",
      help: help, isAllowed: { $0.boundedComponents.allSatisfy(bounds.contains) }, transform: { $0 },
      currentArgument: { $0.argumentDescription })
  }

  /// A number (or list of numbers) within the closed range `bounds`.
  public init<Value: BoundedCommandLineValue>(
    _ name: String, _ keyPath: WritableKeyPath<Root, Value>, valueName: String, bounds: ClosedRange<Value.Bound>, help: String
  ) where Value.Bound: CommandLineValue {
    self.init(name, keyPath, valueName: valueName, bounds: CommandLineBounds(bounds), help: help)
  }

  /// An optional number (or list of numbers) within `bounds` (unset by
  /// default).
  public init<Value: BoundedCommandLineValue>(
    _ name: String, _ keyPath: WritableKeyPath<Root, Value?>, valueName: String, bounds: CommandLineBounds<Value.Bound>, help: String
  ) where Value.Bound: CommandLineValue {
    self.init(
      name, keyPath, valueName: valueName, allowedValues: "range \(bounds)", expectation: "\(Value.expectation) in \(bounds)",
      help: help, isAllowed: { $0.boundedComponents.allSatisfy(bounds.contains) }, transform: { $0 },
      currentArgument: { $0?.argumentDescription })
  }

  /// An optional number (or list of numbers) within the closed range
  /// `bounds` (unset by default).
  public init<Value: BoundedCommandLineValue>(
    _ name: String, _ keyPath: WritableKeyPath<Root, Value?>, valueName: String, bounds: ClosedRange<Value.Bound>, help: String
  ) where Value.Bound: CommandLineValue {
    self.init(name, keyPath, valueName: valueName, bounds: CommandLineBounds(bounds), help: help)
  }

  /// A flag without a value that sets the Boolean at `keyPath` to `value`
  /// (`--augment` sets true, `--no-augment` false).
  public static func flag(_ name: String, _ keyPath: WritableKeyPath<Root, Bool>, setting value: Bool = true, help: String) -> Self {
    Self(
      name: name, kind: .flag, help: help, property: keyPath, flagSetting: value,
      currentArgument: { $0[keyPath: keyPath] == value ? "" : nil }, apply: { root, _ in root[keyPath: keyPath] = value })
  }

  /// A preset: sets several properties at once, before every other option is
  /// applied.
  public static func preset(_ name: String, help: String, apply: @escaping (inout Root) -> Void) -> Self {
    Self(name: name, kind: .preset, help: help, property: nil, flagSetting: nil, currentArgument: { _ in nil }, apply: { root, _ in apply(&root) })
  }

  /// Whether the option takes a value.
  var takesValue: Bool {
    if case .value = kind { return true }
    return false
  }

  /// The option as `--help` shows it on the left: `--inner-steps T`.
  var synopsis: String {
    if case .value(let valueName) = kind { return "\(name) \(valueName)" }
    return name
  }
}

// MARK: - Parser

/// Parses command lines with a table of ``CommandLineOption``s and writes the
/// help text from the same table.
///
/// Rules: `-h` or `--help` asks for help; an unknown flag, a flag given twice
/// (or two flags setting the same property, such as `--augment` and
/// `--no-augment`), a missing value, a value starting with `--` (as in
/// `--output --quiet`), and a value that does not parse or is out of bounds
/// are ``UsageError``s naming the flag. `--flag=value` is accepted as well as
/// `--flag value`. Presets are applied first, then the other flags in order.
///
/// A parser may take one positional argument (`gtn info CKPT`): the first
/// argument not starting with `-` goes to ``positional``; a second one is an
/// error, as is giving both it and a flag that sets the same property.
public struct CommandLineParser<Root> {
  /// What a parse asks for.
  public enum Outcome {
    /// Run with these options.
    case run(Root)
    /// Show the help text.
    case help
  }

  /// The options, in the order `--help` lists them.
  public var options: [CommandLineOption<Root>]

  /// The positional argument, named by its value name (such as `CKPT`);
  /// `nil` when the command takes none.
  public var positional: CommandLineOption<Root>?

  /// A parser for `options` and, optionally, one `positional` argument
  /// (declared as an option whose name is its placeholder, such as `CKPT`).
  public init(options: [CommandLineOption<Root>], positional: CommandLineOption<Root>? = nil) {
    precondition(Set(options.map(\.name)).count == options.count, "CommandLineParser: an option is declared twice")
    precondition(positional.map { $0.takesValue && !$0.name.hasPrefix("-") } ?? true, "CommandLineParser: a positional argument takes a value and is no flag")
    self.options = options
    self.positional = positional
  }

  /// Parses `arguments` (without the program name) into `defaults`.
  public func parse(_ arguments: [String], defaults: Root) throws(UsageError) -> Outcome {
    var given: [(option: CommandLineOption<Root>, argument: String)] = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if argument == "-h" || argument == "--help" { return .help }
      guard argument.hasPrefix("-") else {
        guard let positional, !given.contains(where: { $0.option.name == positional.name }) else {
          throw UsageError(message: "unexpected argument '\(argument)' (see --help)")
        }
        if let earlier = given.first(where: { $0.option.property != nil && $0.option.property == positional.property }) {
          throw UsageError(message: "\(positional.name) '\(argument)' conflicts with \(earlier.option.name)")
        }
        given.append((positional, argument))
        continue
      }
      var name = argument
      var inlineValue: String? = nil
      if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
        name = String(argument[..<equals])
        inlineValue = String(argument[argument.index(after: equals)...])
      }
      guard let option = options.first(where: { $0.name == name }) else {
        throw UsageError(message: "unknown option '\(name)' (see --help)")
      }
      if let earlier = given.first(where: { $0.option.name == name || ($0.option.property != nil && $0.option.property == option.property) }) {
        throw UsageError(
          message: earlier.option.name == name
            ? "\(name) is given twice"
            : "\(name) conflicts with \(earlier.option.name == positional?.name ? "the argument \(earlier.argument)" : earlier.option.name)")
      }
      var value = ""
      if option.takesValue {
        if let inlineValue {
          value = inlineValue
        } else if index < arguments.count, !arguments[index].hasPrefix("--") {
          value = arguments[index]
          index += 1
        }
        guard !value.isEmpty else { throw UsageError(message: "\(name) needs a value") }
      } else if inlineValue != nil {
        throw UsageError(message: "\(name) takes no value, got '\(argument)'")
      }
      given.append((option, value))
    }
    var root = defaults
    for (option, value) in given where option.isPreset { try option.apply(&root, value) }
    for (option, value) in given where !option.isPreset { try option.apply(&root, value) }
    return .run(root)
  }

  /// The help text: usage line, summary, one entry per option with its
  /// default (from `defaults`) and allowed values, then `epilogue`.
  public func helpText(program: String, arguments: String = "[options]", summary: String, defaults: Root, epilogue: String = "") -> String {
    var lines = ["USAGE: \(program) \(arguments)", ""]
    lines += wrap(summary, width: 100)
    let column = 30
    if let positional {
      lines += ["", "ARGUMENTS:"] + entry(positional.name, positional.help, column: column)
    }
    lines += ["", "OPTIONS:"]
    for option in options {
      var text = option.help
      var details: [String] = []
      if option.takesValue, let current = option.currentArgument(defaults) { details.append("default: \(current)") }
      if option.flagSetting == true, option.currentArgument(defaults) != nil { details.append("default: on") }
      if let allowed = option.allowedValues { details.append(allowed) }
      if !details.isEmpty { text += " (\(details.joined(separator: "; ")))" }
      lines += entry(option.synopsis, text, column: column)
    }
    lines += entry("-h, --help", "Show this help", column: column)
    if !epilogue.isEmpty { lines += [""] + epilogue.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrap(String($0), width: 100) } }
    return lines.joined(separator: "\n")
  }

  /// The options `root` differs from `defaults` in, as arguments that
  /// reproduce it (presets are not used): `--inner-steps 16 --resume`.
  public func arguments(for root: Root, comparedWith defaults: Root? = nil) -> [String] {
    var result: [String] = []
    for option in options where !option.isPreset {
      guard let current = option.currentArgument(root) else { continue }
      if let defaults, option.currentArgument(defaults) == current { continue }
      if option.takesValue, current.hasPrefix("--") {
        result.append("\(option.name)=\(current)")  // else it would read as a flag
      } else {
        result.append(option.name)
        if option.takesValue { result.append(current) }
      }
    }
    return result
  }

  /// The options whose values differ between `old` and `new`, in table
  /// order, one entry per property (`--augment` and `--no-augment` are one
  /// entry, named by the first of them), skipping properties any of whose
  /// flags is in `ignoring`. Values are spelled as on the command line;
  /// flags as `on` or `off`; unset optional values as `unset`.
  public func differences(between old: Root, and new: Root, ignoring: Set<String> = []) -> [OptionDifference] {
    var groups: [[CommandLineOption<Root>]] = []
    for option in options where !option.isPreset {
      if let index = groups.firstIndex(where: { $0[0].property == option.property }) {
        groups[index].append(option)
      } else {
        groups.append([option])
      }
    }
    func value(_ group: [CommandLineOption<Root>], _ root: Root) -> String {
      if group.allSatisfy({ !$0.takesValue }) {
        let on = group.first { $0.flagSetting == true } ?? group[0]
        return (on.currentArgument(root) != nil) == (on.flagSetting ?? true) ? "on" : "off"
      }
      if group.count == 1 { return group[0].currentArgument(root) ?? "unset" }
      guard let set = group.first(where: { $0.currentArgument(root) != nil }) else { return "unset" }
      return set.takesValue ? "\(set.name) \(set.currentArgument(root) ?? "")" : set.name
    }
    return groups.compactMap { group in
      guard !group.contains(where: { ignoring.contains($0.name) }) else { return nil }
      let (before, after) = (value(group, old), value(group, new))
      return before == after ? nil : OptionDifference(flag: group[0].name, old: before, new: after)
    }
  }

  private func entry(_ synopsis: String, _ text: String, column: Int) -> [String] {
    let left = "  " + synopsis
    let body = wrap(text, width: 100 - column)
    guard left.count < column - 1 else {
      return [left] + body.map { String(repeating: " ", count: column) + $0 }
    }
    return body.enumerated().map { i, line in
      (i == 0 ? left.paddedWithSpaces(to: column) : String(repeating: " ", count: column)) + line
    }
  }

  private func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty, line.count + 1 + word.count > width {
        lines.append(line)
        line = ""
      }
      line += line.isEmpty ? String(word) : " " + word
    }
    lines.append(line)
    return lines
  }
}

/// An option whose value differs between two runs: its flag and both values
/// as arguments.
public struct OptionDifference: Equatable, Sendable, CustomStringConvertible {
  /// The flag, such as `--seed`.
  public var flag: String
  /// The earlier run's value.
  public var old: String
  /// The new run's value.
  public var new: String

  public init(flag: String, old: String, new: String) {
    self.flag = flag
    self.old = old
    self.new = new
  }

  public var description: String { "\(flag): \(old) → \(new)" }
}

extension CommandLineOption {
  var isPreset: Bool {
    if case .preset = kind { return true }
    return false
  }
}

extension String {
  /// `"10"` for `"10.0"`; other texts unchanged.
  func removingTrailingPointZero() -> String { hasSuffix(".0") ? String(dropLast(2)) : self }

  /// The text padded with spaces to `length` characters.
  func paddedWithSpaces(to length: Int) -> String {
    count >= length ? self : self + String(repeating: " ", count: length - count)
  }
}
