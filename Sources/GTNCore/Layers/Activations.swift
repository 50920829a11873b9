/// `max(x, 0)`.
public struct ReLU: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public init() {}
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable { input.relu() }
}

/// `x` for positive `x`, `slope·x` otherwise.
public struct LeakyReLU: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var slope: Float
  public init(_ slope: Float = 0.1) { self.slope = slope }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    input.leakyRelu(slope: slope)
  }
}

/// `scale · tanh(x)`.
public struct Tanh: Layer, Codable, Hashable {
  public var processesSamplesIndependently: Bool { true }
  public var scale: Float
  public init(scale: Float = 1) { self.scale = scale }
  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    scale == 1 ? input.tanh() : input.tanh() * scale
  }
}

extension ReLU {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? { shape }
}

extension LeakyReLU {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? { shape }
}

extension Tanh {
  public func outputShape(forInputShape shape: [Int]) throws -> [Int]? { shape }
}
