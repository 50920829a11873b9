/// A depthwise 2-D convolution over NCHW batches: every channel convolved
/// with its own `k×k` filter, no bias. Followed by a 1×1 ``Conv2D`` it forms
/// a depthwise-separable convolution.
///
/// Parameters: the filter `[channels, 1, k, k]`.
public struct DepthwiseConv2D: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var channels: Int
  public var kernelSize: Int
  public var stride: Int
  public var padding: Int
  public var initialization: WeightInitialization

  /// - Parameters:
  ///   - channels: Channels in and out.
  ///   - kernelSize: The square kernel's side.
  ///   - stride: Step between outputs.
  ///   - padding: Zero padding per side; `nil` keeps the size at stride 1
  ///     (`kernelSize / 2`).
  ///   - initialization: How to draw the filter (fan-in `k²`).
  public init(
    _ channels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int? = nil,
    initialization: WeightInitialization = .kaimingUniform(negativeSlope: 0.1)
  ) {
    precondition(channels > 0 && kernelSize > 0 && stride > 0, "DepthwiseConv2D(\(channels), kernelSize: \(kernelSize), stride: \(stride)) needs positive sizes")
    self.channels = channels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding ?? kernelSize / 2
    self.initialization = initialization
  }

  public var parameterCount: Int { 1 }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    let taps = kernelSize * kernelSize
    return [initialization.weights(shape: [channels, 1, kernelSize, kernelSize], fanIn: taps, fanOut: taps, using: &generator)]
  }

  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    precondition(input.rank == 4 && input.shape[1] == channels, "DepthwiseConv2D(\(channels)) got input of shape \(input.shape)")
    return depthwiseConv2d(input, filter: parameters[parameters.startIndex], stride: stride, padding: padding)
  }
}

extension DepthwiseConv2D {
  /// `["weight"]`.
  public var parameterNames: [String] { ["weight"] }

  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    try convolvedShape(
      shape, channels: channels, outputChannels: channels, kernel: kernelSize, stride: stride, padding: padding,
      layer: "DepthwiseConv2D(\(channels), kernelSize: \(kernelSize))")
  }

}
