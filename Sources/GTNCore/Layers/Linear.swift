/// A fully connected layer, `y = x·Wᵀ + b`, optionally weight-normalised.
///
/// Parameters: `W` of shape `[out, in]` (or, weight-normalised, the direction
/// `V` and the magnitudes `g` of shape `[out]` with `W = g · V/‖V‖`), then the
/// bias `b` of shape `[out]`.
public struct Linear: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var inputSize: Int
  public var outputSize: Int
  public var weightNormalized: Bool
  public var initialization: WeightInitialization

  /// - Parameters:
  ///   - inputSize: Features in.
  ///   - outputSize: Features out.
  ///   - weightNormalized: Whether to use weight normalisation (Salimans &
  ///     Kingma, 2016), as the GTN paper's networks do.
  ///   - initialization: How to draw `W` (`V`); biases start at zero.
  public init(
    _ inputSize: Int, _ outputSize: Int, weightNormalized: Bool = false,
    initialization: WeightInitialization = .kaimingUniform(negativeSlope: 0.1)
  ) {
    precondition(inputSize > 0 && outputSize > 0, "Linear(\(inputSize), \(outputSize)) needs positive sizes")
    self.inputSize = inputSize
    self.outputSize = outputSize
    self.weightNormalized = weightNormalized
    self.initialization = initialization
  }

  public var parameterCount: Int { weightNormalized ? 3 : 2 }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    let w = initialization.weights(shape: [outputSize, inputSize], fanIn: inputSize, fanOut: outputSize, using: &generator)
    let b = Tensor(zeros: [outputSize])
    return weightNormalized ? [w, rowNorms(w), b] : [w, b]
  }

  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    precondition(input.rank == 2 && input.shape[1] == inputSize, "Linear(\(inputSize), \(outputSize)) got input of shape \(input.shape)")
    let p = Array(parameters)
    let w = weightNormalized ? Variable.weightNormalized(direction: p[0], magnitude: p[1]) : p[0]
    return linear(input, weight: w, bias: p[p.count - 1])
  }
}

extension Linear {
  /// `["weight", "bias"]`, or weight-normalised `["direction", "magnitude", "bias"]`.
  public var parameterNames: [String] { weightNormalized ? ["direction", "magnitude", "bias"] : ["weight", "bias"] }

  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    guard shape.count == 2, shape[1] == inputSize else {
      throw LayerShapeError(layer: "Linear(\(inputSize), \(outputSize))", expected: "[N, \(inputSize)]", inputShape: shape)
    }
    return [shape[0], outputSize]
  }
}
