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

