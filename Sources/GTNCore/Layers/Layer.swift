/// A differentiable function with explicit parameters.
///
/// Layers hold no parameter values: they say how many tensors they need and
/// how to initialise them, and take them as an argument on every call. That is
/// what lets a GTN's inner loop update a learner *functionally* — each SGD step
/// produces new parameter variables, and the meta-gradient flows back through
/// all of them.
///
/// Conform by providing ``callAsFunction(_:parameters:)``; parameter-free
/// layers need nothing else, the rest also provide ``parameterCount`` and
/// ``makeParameters(using:)``:
///
/// ```swift
/// struct Scale: Layer {
///   var parameterCount: Int { 1 }
///   func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] { [Tensor(1)] }
///   func callAsFunction(_ x: Variable, parameters: ArraySlice<Variable>) -> Variable {
///     x * parameters[parameters.startIndex]
///   }
/// }
/// ```
public protocol Layer: Sendable {
  /// How many parameter tensors the layer takes.
  var parameterCount: Int { get }

  /// Draws fresh initial parameters.
  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor]

  /// Applies the layer.
  ///
  /// - Parameters:
  ///   - input: The input batch.
  ///   - parameters: Exactly ``parameterCount`` variables, in the order
  ///     ``makeParameters(using:)`` returns them.
  func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable

  /// Whether each sample's output depends on that sample alone, so that
  /// joining or splitting batches changes no sample's result — true for
  /// every bundled layer but ``BatchNorm``. A generator made of such layers
  /// is run once for all inner steps (see
  /// ``Generator/generatesSamplesIndependently``).
  ///
  /// Defaults to `false`: a layer that does not say is assumed to mix the
  /// samples of its batch.
  var processesSamplesIndependently: Bool { get }

  /// The names of the parameters, in the order of
  /// ``makeParameters(using:)``: `"weight"`, `"bias"`, … Checkpoints and
  /// ``MetaParameters`` key tensors by them.
  ///
  /// The default names them by position: `"0"`, `"1"`, …
  var parameterNames: [String] { get }

  /// The shape of this layer's output for an input of shape `shape`
  /// (batch dimension first), without computing anything.
  ///
  /// ``MetaTrainer`` checks a generator's output against its learners with
  /// it before the first step, so that a mismatch is a thrown error that
  /// names the layer and both shapes, in release builds too.
  ///
  /// - Returns: The output shape, or `nil` when the layer does not know it
  ///   (the default); checking then stops at this layer.
  /// - Throws: ``LayerShapeError`` when the layer cannot take the input.
  func outputShape(forInputShape shape: [Int]) throws -> [Int]?
}

extension Layer {
  public var parameterCount: Int { 0 }

  public var processesSamplesIndependently: Bool { false }

  public var parameterNames: [String] { .positionalNames(parameterCount) }

  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? { nil }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] { [] }

  /// Applies a parameter-free layer.
  public func callAsFunction(_ input: Variable) -> Variable {
    precondition(parameterCount == 0, "\(Self.self) needs \(parameterCount) parameters")
    return self(input, parameters: [])
  }
}

/// Layers applied one after another.
///
/// ```swift
/// let mlp = Sequential(
///   Linear(784, 128), LeakyReLU(0.1), Linear(128, 10))
/// var rng = SplitMix64(seed: 0)
/// let p = mlp.makeParameters(using: &rng).map { Variable($0, requiresGradient: true) }
/// let logits = mlp(x, parameters: p[...])
/// ```
public struct Sequential: Layer {
  /// The layers, first applied first.
  public var layers: [any Layer]

  public init(_ layers: [any Layer]) { self.layers = layers }
  public init(_ layers: any Layer...) { self.layers = layers }

  public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

  public var processesSamplesIndependently: Bool { layers.allSatisfy(\.processesSamplesIndependently) }

  /// Each layer's names prefixed with its index, as PyTorch's
  /// `nn.Sequential` names them: `"0.weight"`, `"0.bias"`, `"3.weight"`, …
  public var parameterNames: [String] {
    layers.enumerated().flatMap { i, layer in layer.parameterNames.map { "\(i).\($0)" } }
  }

  /// The layers' output shapes chained; `nil` from the first layer that
  /// does not know its own.
  ///
  /// - Throws: ``LayerShapeError`` from the first layer that cannot take its
  ///   input, with the layer's index in ``LayerShapeError/layer``.
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    var current = shape
    for (i, layer) in layers.enumerated() {
      do {
        guard let next = try layer.outputShape(forInputShape: current) else { return nil }
        current = next
      } catch var error as LayerShapeError {
        error.layer = "layer \(i), \(error.layer)"
        throw error
      }
    }
    return current
  }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    var result: [Tensor] = []
    for layer in layers { result += layer.makeParameters(using: &generator) }
    return result
  }

  /// Applies the layers in order.
  ///
  /// A ReLU or a leaky ReLU with a non-negative slope followed by max
  /// pooling runs the other way round, pooling first: a non-decreasing
  /// activation commutes with a maximum, so the values are the same bit for
  /// bit, the activation touches a quarter of the elements (2×2 windows),
  /// and the recorded graph keeps the pooled activation, which the next layer
  /// keeps anyway, instead of a full-size one.
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    precondition(parameters.count == parameterCount, "Sequential needs \(parameterCount) parameters, got \(parameters.count)")
    var x = input
    var start = parameters.startIndex
    var i = 0
    while i < layers.count {
      let layer = layers[i]
      if i + 1 < layers.count, let pool = layers[i + 1] as? MaxPool2D, layer.commutesWithMaximum {
        x = layer(pool(x, parameters: []), parameters: [])
        i += 2
        continue
      }
      let end = start + layer.parameterCount
      x = layer(x, parameters: parameters[start..<end])
      start = end
      i += 1
    }
    return x
  }
}

extension Layer {
  /// Whether the layer is a parameter-free, non-decreasing elementwise map
  /// that takes `-∞` and 0 to themselves, so that applying it after a max
  /// pooling gives the values of applying it before.
  fileprivate var commutesWithMaximum: Bool {
    switch self {
    case is ReLU: true
    case let leaky as LeakyReLU: leaky.slope >= 0
    default: false
    }
  }
}
