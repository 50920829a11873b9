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

/// The output shape of a 2-D pooling window over NCHW input.
private func pooledShape(_ shape: [Int], kernel: Int, stride: Int, padding: Int, layer: String) throws -> [Int] {
  guard shape.count == 4, let ho = windowedSize(shape[2], kernel: kernel, stride: stride, padding: padding),
        let wo = windowedSize(shape[3], kernel: kernel, stride: stride, padding: padding) else {
    throw LayerShapeError(layer: layer, expected: "[N, C, H, W] with H, W ≥ \(kernel - 2 * padding)", inputShape: shape)
  }
  return [shape[0], shape[1], ho, wo]
}
