/// A 2-D convolution over NCHW batches with a bias per output channel,
/// optionally weight-normalised.
///
/// Parameters: the filter `[out, in, k, k]` (or its direction and the
/// magnitudes `[out]`), then the bias `[out]`.
public struct Conv2D: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var inputChannels: Int
  public var outputChannels: Int
  public var kernelSize: Int
  public var stride: Int
  public var padding: Int
  public var weightNormalized: Bool
  public var initialization: WeightInitialization

  /// - Parameters:
  ///   - inputChannels: Channels in.
  ///   - outputChannels: Channels out.
  ///   - kernelSize: The square kernel's side.
  ///   - stride: Step between outputs.
  ///   - padding: Zero padding per side; `nil` keeps the size at stride 1
  ///     (`kernelSize / 2`).
  ///   - weightNormalized: Whether to use weight normalisation.
  ///   - initialization: How to draw the filter; biases start at zero.
  public init(
    _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int? = nil,
    weightNormalized: Bool = false, initialization: WeightInitialization = .kaimingUniform(negativeSlope: 0.1)
  ) {
    precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0, "Conv2D(\(inputChannels), \(outputChannels), kernelSize: \(kernelSize), stride: \(stride)) needs positive sizes")
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding ?? kernelSize / 2
    self.weightNormalized = weightNormalized
    self.initialization = initialization
  }

  public var parameterCount: Int { weightNormalized ? 3 : 2 }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    let fanIn = inputChannels * kernelSize * kernelSize
    let w = initialization.weights(
      shape: [outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn,
      fanOut: outputChannels * kernelSize * kernelSize, using: &generator)
    let b = Tensor(zeros: [outputChannels])
    return weightNormalized ? [w, rowNorms(w), b] : [w, b]
  }

  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    precondition(input.rank == 4 && input.shape[1] == inputChannels, "Conv2D(\(inputChannels), \(outputChannels)) got input of shape \(input.shape)")
    let p = Array(parameters)
    let w = weightNormalized ? Variable.weightNormalized(direction: p[0], magnitude: p[1]) : p[0]
    return conv2d(input, filter: w, bias: p[p.count - 1], stride: stride, padding: padding)
  }
}

extension Conv2D {
  /// `["weight", "bias"]`, or weight-normalised `["direction", "magnitude", "bias"]`.
  public var parameterNames: [String] { weightNormalized ? ["direction", "magnitude", "bias"] : ["weight", "bias"] }

  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    try convolvedShape(
      shape, channels: inputChannels, outputChannels: outputChannels, kernel: kernelSize, stride: stride, padding: padding,
      layer: "Conv2D(\(inputChannels), \(outputChannels), kernelSize: \(kernelSize))")
  }

}
