/// `[N, …] → [N, ∏…]`.
public struct Flatten: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public init() {}
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.flattenedBatch()
  }
}

/// Reshapes each example: `[N, …] → [N] + shape`.
public struct Reshape: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var shape: [Int]
  public init(_ shape: [Int]) { self.shape = shape }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.reshaped(to: [input.shape[0]] + shape)
  }
}

/// Max pooling over `k×k` windows.
public struct MaxPool2D: Layer, Codable, Hashable {
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
public struct AveragePool2D: Layer, Codable, Hashable {
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
public struct GlobalAveragePool: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public init() {}
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.globalAveragePooled()
  }
}

/// Nearest-neighbour upsampling by an integer factor.
public struct Upsample: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var factor: Int
  public init(factor: Int = 2) { self.factor = factor }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.upsampledNearest(by: factor)
  }
}

/// Mirror padding of the spatial dimensions.
public struct ReflectionPad: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var padding: Int
  public init(_ padding: Int = 1) { self.padding = padding }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.reflectionPadded(by: padding)
  }
}

extension Flatten {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    guard let n = shape.first else { throw LayerShapeError(layer: "Flatten", expected: "[N, …]", inputShape: shape) }
    return [n, shape.dropFirst().reduce(1, *)]
  }
}

extension Reshape {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    guard let n = shape.first, shape.dropFirst().reduce(1, *) == self.shape.reduce(1, *) else {
      throw LayerShapeError(layer: "Reshape(\(self.shape))", expected: "[N, …] with \(self.shape.reduce(1, *)) values per sample", inputShape: shape)
    }
    return [n] + self.shape
  }
}

extension MaxPool2D {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    try pooledShape(shape, kernel: kernelSize, stride: stride, padding: padding, layer: "MaxPool2D(kernelSize: \(kernelSize))")
  }
}

extension AveragePool2D {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    try pooledShape(shape, kernel: kernelSize, stride: stride, padding: padding, layer: "AveragePool2D(kernelSize: \(kernelSize))")
  }
}

extension GlobalAveragePool {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    guard shape.count == 4 else { throw LayerShapeError(layer: "GlobalAveragePool", expected: "[N, C, H, W]", inputShape: shape) }
    return [shape[0], shape[1]]
  }
}

extension Upsample {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    guard shape.count == 4 else { throw LayerShapeError(layer: "Upsample(factor: \(factor))", expected: "[N, C, H, W]", inputShape: shape) }
    return [shape[0], shape[1], shape[2] * factor, shape[3] * factor]
  }
}

extension ReflectionPad {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? {
    guard shape.count == 4, shape[2] > padding, shape[3] > padding else {
      throw LayerShapeError(layer: "ReflectionPad(\(padding))", expected: "[N, C, H, W] with H, W > \(padding)", inputShape: shape)
    }
    return [shape[0], shape[1], shape[2] + 2 * padding, shape[3] + 2 * padding]
  }
}

/// The output shape of a 2-D pooling window over NCHW input.
private func pooledShape(_ shape: [Int], kernel: Int, stride: Int, padding: Int, layer: String) throws -> [Int] {
  guard shape.count == 4, let ho = windowedSize(shape[2], kernel: kernel, stride: stride, padding: padding),
        let wo = windowedSize(shape[3], kernel: kernel, stride: stride, padding: padding) else {
    throw LayerShapeError(layer: layer, expected: "[N, C, H, W] with H, W ≥ \(kernel - 2 * padding)", inputShape: shape)
  }
  return [shape[0], shape[1], ho, wo]
}
