/// A bundled layer or a ``Sequential`` of them as a `Codable` value: what a
/// checkpoint records so that ``MetaTrainer/init(restoringFrom:)`` can
/// rebuild the networks without the code that made them.
///
/// ```swift
/// let description = LayerDescription(Sequential.smallConvLearner())   // nil for custom layers
/// let rebuilt = description?.layer                                    // an equal network
/// ```
public indirect enum LayerDescription: Sendable, Codable, Hashable {
  case linear(Linear)
  case conv2d(Conv2D)
  case depthwiseConv2d(DepthwiseConv2D)
  case batchNorm(BatchNorm)
  case relu(ReLU)
  case leakyReLU(LeakyReLU)
  case tanh(Tanh)
  case flatten(Flatten)
  case reshape(Reshape)
  case maxPool2d(MaxPool2D)
  case averagePool2d(AveragePool2D)
  case globalAveragePool(GlobalAveragePool)
  case upsample(Upsample)
  case reflectionPad(ReflectionPad)
  case sequential([LayerDescription])

  /// The description of `layer`, or `nil` when it is not a bundled layer
  /// (or a ``Sequential`` holds one that is not).
  public init?(_ layer: any Layer) {
    switch layer {
    case let l as Linear: self = .linear(l)
    case let l as Conv2D: self = .conv2d(l)
    case let l as DepthwiseConv2D: self = .depthwiseConv2d(l)
    case let l as BatchNorm: self = .batchNorm(l)
    case let l as ReLU: self = .relu(l)
    case let l as LeakyReLU: self = .leakyReLU(l)
    case let l as Tanh: self = .tanh(l)
    case let l as Flatten: self = .flatten(l)
    case let l as Reshape: self = .reshape(l)
    case let l as MaxPool2D: self = .maxPool2d(l)
    case let l as AveragePool2D: self = .averagePool2d(l)
    case let l as GlobalAveragePool: self = .globalAveragePool(l)
    case let l as Upsample: self = .upsample(l)
    case let l as ReflectionPad: self = .reflectionPad(l)
    case let s as Sequential:
      var parts: [LayerDescription] = []
      for layer in s.layers {
        guard let part = LayerDescription(layer) else { return nil }
        parts.append(part)
      }
      self = .sequential(parts)
    default: return nil
    }
  }

  /// The layer described.
  public var layer: any Layer {
    switch self {
    case .linear(let l): l
    case .conv2d(let l): l
    case .depthwiseConv2d(let l): l
    case .batchNorm(let l): l
    case .relu(let l): l
    case .leakyReLU(let l): l
    case .tanh(let l): l
    case .flatten(let l): l
    case .reshape(let l): l
    case .maxPool2d(let l): l
    case .averagePool2d(let l): l
    case .globalAveragePool(let l): l
    case .upsample(let l): l
    case .reflectionPad(let l): l
    case .sequential(let parts): Sequential(parts.map(\.layer))
    }
  }

  /// The described layers as a ``Sequential`` (a single layer becomes a
  /// one-layer network).
  public var sequential: Sequential {
    if case .sequential(let parts) = self { return Sequential(parts.map(\.layer)) }
    return Sequential([layer])
  }
}
