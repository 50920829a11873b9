/// `[N, …] → [N, ∏…]`.
public struct Flatten: Layer {
  public var processesSamplesIndependently: Bool { true }
  public init() {}
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.flattenedBatch()
  }
}

/// Reshapes each example: `[N, …] → [N] + shape`.
public struct Reshape: Layer {
  public var processesSamplesIndependently: Bool { true }
  public var shape: [Int]
  public init(_ shape: [Int]) { self.shape = shape }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.reshaped(to: [input.shape[0]] + shape)
  }
}

/// Max pooling over `k×k` windows.
public struct MaxPool2D: Layer {
  public var processesSamplesIndependently: Bool { true }
  public var kernelSize: Int, stride: Int, padding: Int
  public init(kernelSize: Int = 2, stride: Int? = nil, padding: Int = 0) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
  }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
  }
}

/// Average pooling over `k×k` windows.
public struct AveragePool2D: Layer {
  public var processesSamplesIndependently: Bool { true }
  public var kernelSize: Int, stride: Int, padding: Int
  public init(kernelSize: Int = 2, stride: Int? = nil, padding: Int = 0) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
  }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.averagePool2d(kernelSize: kernelSize, stride: stride, padding: padding)
  }
}

/// The mean over spatial positions: `[N, C, H, W] → [N, C]`.
public struct GlobalAveragePool: Layer {
  public var processesSamplesIndependently: Bool { true }
  public init() {}
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.globalAveragePooled()
  }
}

/// Nearest-neighbour upsampling by an integer factor.
public struct Upsample: Layer {
  public var processesSamplesIndependently: Bool { true }
  public var factor: Int
  public init(factor: Int = 2) { self.factor = factor }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.upsampledNearest(by: factor)
  }
}

/// Mirror padding of the spatial dimensions.
public struct ReflectionPad: Layer {
  public var processesSamplesIndependently: Bool { true }
  public var padding: Int
  public init(_ padding: Int = 1) { self.padding = padding }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.reflectionPadded(by: padding)
  }
}
