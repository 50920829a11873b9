/// An operation on one edge of a cell: what a node applies to one of its two
/// inputs.
///
/// The set is the CPU-affordable core of NASNet's and ENAS's: identity,
/// 1×1 convolutions, depthwise-separable 3×3 and 5×5 convolutions (ReLU →
/// depthwise `k×k` → pointwise 1×1 → batch norm, applied once as in ENAS,
/// not twice as in DARTS) and 3×3 pooling — ``CellSearchSpace``'s default
/// set. Plain `k×k` convolutions (``conv3x3``, ``conv5x5``) are available
/// too; they cost about `k²·C / (k² + C)` times as many multiplications as
/// their separable counterparts at `C` channels.
///
/// In a reduction cell, an operation that reads one of the cell's inputs
/// runs at stride 2; ``identity`` then becomes a strided 1×1 convolution
/// (ReLU → conv → batch norm) so that its output has the reduced size.
/// Pooling pads by one pixel; average pooling counts the padding in its
/// divisor.
public enum CellOperation: String, Codable, CaseIterable, Hashable, Sendable {
  /// The input itself (a strided 1×1 convolution when it must reduce).
  case identity
  /// ReLU → 1×1 convolution → batch norm.
  case conv1x1
  /// ReLU → 3×3 convolution → batch norm.
  case conv3x3
  /// ReLU → 5×5 convolution → batch norm.
  case conv5x5
  /// ReLU → depthwise 3×3 convolution → 1×1 convolution → batch norm.
  case separableConv3x3 = "sepconv3x3"
  /// ReLU → depthwise 5×5 convolution → 1×1 convolution → batch norm.
  case separableConv5x5 = "sepconv5x5"
  /// 3×3 max pooling, padding 1.
  case maxPool3x3 = "maxpool3x3"
  /// 3×3 average pooling, padding 1.
  case averagePool3x3 = "avgpool3x3"

  /// The layer realising the operation on `channels` channels.
  ///
  /// - Parameters:
  ///   - channels: Channels in and out.
  ///   - stride: 1, or 2 in a reduction cell on the cell's inputs.
  func layer(channels: Int, stride: Int) -> any Layer {
    func convolution(_ kernelSize: Int) -> any Layer {
      Sequential(LeakyReLU(0.1), Conv2D(channels, channels, kernelSize: kernelSize, stride: stride), BatchNorm(channels))
    }
    func separable(_ kernelSize: Int) -> any Layer {
      Sequential(
        LeakyReLU(0.1), DepthwiseConv2D(channels, kernelSize: kernelSize, stride: stride),
        Conv2D(channels, channels, kernelSize: 1), BatchNorm(channels))
    }
    switch self {
    case .identity: return stride == 1 ? IdentityLayer() : convolution(1)
    case .conv1x1: return convolution(1)
    case .conv3x3: return convolution(3)
    case .conv5x5: return convolution(5)
    case .separableConv3x3: return separable(3)
    case .separableConv5x5: return separable(5)
    case .maxPool3x3: return MaxPool2D(kernelSize: 3, stride: stride, padding: 1)
    case .averagePool3x3: return AveragePool2D(kernelSize: 3, stride: stride, padding: 1)
    }
  }
}

/// `x ↦ x`.
struct IdentityLayer: Layer {
  var processesSamplesIndependently: Bool { true }
  func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable { input }
}
