/// An ordered list of uniquely named values: the parameters of one
/// component, addressed by name instead of by position.
///
/// ```swift
/// var parameters = NamedTensors(names: ["weight", "bias"], values: [w, b])
/// parameters["bias"] = Tensor(zeros: [10])
/// for (name, tensor) in parameters.elements { print(name, tensor.shape) }
/// ```
///
/// The order is part of the value: it is the order in which a component's
/// ``Layer/makeParameters(using:)`` returns its tensors and in which its
/// `callAsFunction` takes them.
///
/// - Complexity: Lookup by name is O(n); lists are short (one entry per
///   parameter tensor of one component).
public struct NamedList<Value> {
  /// The names, unique, in order.
  public private(set) var names: [String]
  /// The values, in the order of ``names``.
  public var values: [Value] {
    willSet { precondition(newValue.count == names.count, "NamedList: \(newValue.count) values for \(names.count) names \(names)") }
  }

  /// Creates a list from names and values of equal count.
  public init(names: [String], values: [Value]) {
    precondition(names.count == values.count, "NamedList: \(names.count) names \(names) for \(values.count) values")
    precondition(Set(names).count == names.count, "NamedList: duplicate names in \(names)")
    self.names = names
    self.values = values
  }

  /// Creates a list from name–value pairs, in order.
  public init(_ elements: [(name: String, value: Value)]) {
    self.init(names: elements.map(\.name), values: elements.map(\.value))
  }

  /// An empty list.
  public init() { self.init(names: [], values: []) }

  /// The number of entries.
  public var count: Int { names.count }
  /// Whether the list has no entries.
  public var isEmpty: Bool { names.isEmpty }

  /// The name–value pairs, in order.
  public var elements: [(name: String, value: Value)] { Array(zip(names, values)) }

  /// The value named `name` (a programmer error when absent: the names of
  /// a component are fixed by its type).
  public subscript(name: String) -> Value {
    get {
      guard let i = names.firstIndex(of: name) else { preconditionFailure("NamedList: no entry '\(name)' among \(names)") }
      return values[i]
    }
    set {
      guard let i = names.firstIndex(of: name) else { preconditionFailure("NamedList: no entry '\(name)' among \(names)") }
      values[i] = newValue
    }
  }

  /// The value named `name`, or `nil`.
  public func value(named name: String) -> Value? {
    names.firstIndex(of: name).map { values[$0] }
  }

  /// The same names with transformed values.
  public func mapValues<T>(_ transform: (Value) throws -> T) rethrows -> NamedList<T> {
    NamedList<T>(names: names, values: try values.map(transform))
  }

  /// Every name prefixed with `prefix` and a dot (`"0.weight"` → `"generator.0.weight"`).
  public func prefixingNames(with prefix: String) -> NamedList {
    NamedList(names: names.map { "\(prefix).\($0)" }, values: values)
  }
}

extension NamedList: Sendable where Value: Sendable {}
extension NamedList: Equatable where Value: Equatable {}

/// Named tensors: a component's parameters as values.
public typealias NamedTensors = NamedList<Tensor>
/// Named variables: a component's parameters inside a recorded computation.
public typealias NamedVariables = NamedList<Variable>

extension NamedList where Value == Tensor {
  /// The shapes, in order.
  public var shapes: [[Int]] { values.map(\.shape) }
}

extension Array where Element == String {
  /// The positional names `"0"`, `"1"`, … for `count` parameters: the
  /// default names of components that do not name their parameters.
  static func positionalNames(_ count: Int) -> [String] { (0..<count).map(String.init) }
}
