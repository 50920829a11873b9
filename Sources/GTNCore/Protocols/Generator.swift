/// A network that turns inputs (noise, or learned curriculum vectors) and
/// class targets into synthetic training images.
///
/// Conform by giving the parameter count, how to draw initial parameters and
/// the forward map. ``ConditionalGenerator`` covers the usual case — an
/// arbitrary network applied to `concat(noise, labels)`:
///
/// ```swift
/// let g = ConditionalGenerator(noiseSize: 64, classCount: 10, network: Sequential(
///   Linear(74, 256), LeakyReLU(0.1), Linear(256, 784), Tanh(), Reshape([1, 28, 28])))
/// ```
public protocol Generator: Sendable {
  /// How many parameter tensors the generator takes.
  var parameterCount: Int { get }

  /// Draws fresh initial parameters.
  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor]

  /// Generates a batch.
  ///
  /// - Parameters:
  ///   - inputs: `[B, …]` per-sample inputs from the curriculum.
  ///   - targets: `[B, K]` class targets (one-hot or soft labels).
  ///   - parameters: The generator's parameters.
  /// - Returns: `[B, C, H, W]` images.
  func callAsFunction(_ inputs: Variable, targets: Variable, parameters: ArraySlice<Variable>) -> Variable

  /// Whether each generated sample depends on its own input and target
  /// alone (no batch statistics). ``MetaTrainer`` then generates the images
  /// of all inner steps in one call — larger matrix products, and one
  /// weight gradient for the whole unroll instead of one per step summed —
  /// and slices them per step; the images are the same either way.
  ///
  /// Defaults to `false` (one call per inner step).
  var generatesSamplesIndependently: Bool { get }

  /// The names of the parameters, in the order of
  /// ``makeParameters(using:)`` (checkpoint keys and ``MetaParameters``
  /// use them). The default names them by position: `"0"`, `"1"`, …
  var parameterNames: [String] { get }

  /// The shape of the images made from inputs and targets of the given
  /// shapes, without computing them.
  ///
  /// - Returns: `[B, C, H, W]` (or whatever the generator makes), or `nil`
  ///   when unknown (the default).
  /// - Throws: ``LayerShapeError`` when the generator cannot take the
  ///   inputs, naming the layer and both shapes.
  func outputShape(forInputShape inputShape: [Int], targetShape: [Int]) throws -> [Int]?
}

extension Generator {
  public var generatesSamplesIndependently: Bool { false }

  public var parameterNames: [String] { .positionalNames(parameterCount) }

  public func outputShape(forInputShape inputShape: [Int], targetShape: [Int]) throws -> [Int]? { nil }
}

/// A generator that applies a network to the concatenation of noise and
/// class targets, as in the GTN paper.
public struct ConditionalGenerator: Generator {
  /// The length of each input vector.
  public var noiseSize: Int
  /// The number of classes.
  public var classCount: Int
  /// The network from `[B, noiseSize + classCount]` to images.
  public var network: Sequential

  public init(noiseSize: Int, classCount: Int, network: Sequential) {
    self.noiseSize = noiseSize
    self.classCount = classCount
    self.network = network
  }

  public var parameterCount: Int { network.parameterCount }

  /// Whether every layer of ``network`` processes samples independently
  /// (no ``BatchNorm``).
  public var generatesSamplesIndependently: Bool { network.processesSamplesIndependently }

  /// The network's names (`"0.weight"`, `"0.bias"`, …).
  public var parameterNames: [String] { network.parameterNames }

  public func outputShape(forInputShape inputShape: [Int], targetShape: [Int]) throws -> [Int]? {
    guard inputShape.count == 2, inputShape[1] == noiseSize, targetShape == [inputShape[0], classCount] else {
      throw LayerShapeError(
        layer: "ConditionalGenerator(noise \(noiseSize), classes \(classCount))",
        expected: "noise [B, \(noiseSize)] and targets [B, \(classCount)]", inputShape: inputShape + targetShape)
    }
    return try network.outputShape(forInputShape: [inputShape[0], noiseSize + classCount])
  }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    network.makeParameters(using: &generator)
  }

  public func callAsFunction(_ inputs: Variable, targets: Variable, parameters: ArraySlice<Variable>) -> Variable {
    precondition(inputs.shape == [targets.shape[0], noiseSize] && targets.shape[1] == classCount,
      "ConditionalGenerator(noise \(noiseSize), classes \(classCount)) got inputs \(inputs.shape) and targets \(targets.shape)")
    return network(Variable.concatenating([inputs, targets], alongAxis: 1), parameters: parameters)
  }
}

/// The identity "generator": the curriculum's inputs are the images
/// themselves. With a ``PixelCurriculum`` this is direct pixel learning, the
/// dataset-distillation baseline the GTN paper compares against.
public struct IdentityGenerator: Generator {
  public init() {}
  public var parameterCount: Int { 0 }
  public var generatesSamplesIndependently: Bool { true }
  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] { [] }
  public func callAsFunction(_ inputs: Variable, targets: Variable, parameters: ArraySlice<Variable>) -> Variable { inputs }
  public func outputShape(forInputShape inputShape: [Int], targetShape: [Int]) throws -> [Int]? { inputShape }
}
