/// A layer that cannot take an input of the given shape.
///
/// Thrown by ``Layer/outputShape(forInputShape:)``; its description names
/// the layer, the shape it expects and the shape it got.
public struct LayerShapeError: Error, Equatable, CustomStringConvertible {
  /// The layer, e.g. `"Linear(784, 128)"` (inside a ``Sequential``: with
  /// its index).
  public var layer: String
  /// What the layer expects, e.g. `"[N, 784]"`.
  public var expected: String
  /// The shape it got.
  public var inputShape: [Int]

  public init(layer: String, expected: String, inputShape: [Int]) {
    self.layer = layer
    self.expected = expected
    self.inputShape = inputShape
  }

  public var description: String { "\(layer) expects input of shape \(expected), got \(inputShape)" }
}

/// Checks an NCHW input against a channel count; returns (N, H, W).
func checkImages(_ shape: [Int], channels: Int, layer: @autoclosure () -> String) throws -> (Int, Int, Int) {
  guard shape.count == 4, shape[1] == channels, shape.allSatisfy({ $0 > 0 }) else {
    throw LayerShapeError(layer: layer(), expected: "[N, \(channels), H, W]", inputShape: shape)
  }
  return (shape[0], shape[2], shape[3])
}

/// The output shape of a convolution with `outputChannels` filters of
/// `kernel` × `kernel` over NCHW input of `channels` channels.
func convolvedShape(
  _ shape: [Int], channels: Int, outputChannels: Int, kernel: Int, stride: Int, padding: Int, layer: String
) throws -> [Int] {
  let (n, h, w) = try checkImages(shape, channels: channels, layer: layer)
  guard let ho = windowedSize(h, kernel: kernel, stride: stride, padding: padding),
        let wo = windowedSize(w, kernel: kernel, stride: stride, padding: padding) else {
    throw LayerShapeError(layer: layer, expected: "images of at least \(kernel - 2 * padding)×\(kernel - 2 * padding)", inputShape: shape)
  }
  return [n, outputChannels, ho, wo]
}

/// Output size of a window of `kernel` with `stride` and `padding` along a
/// dimension of `size`, or `nil` when the window does not fit.
func windowedSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int? {
  let out = (size + 2 * padding - kernel) / stride + 1
  return size + 2 * padding >= kernel && out >= 1 ? out : nil
}
