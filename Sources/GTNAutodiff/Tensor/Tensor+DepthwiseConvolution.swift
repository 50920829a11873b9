extension Tensor {
  /// Depthwise 2-D convolution (cross-correlation): every channel with its own
  /// filter, no mixing across channels.
  ///
  /// `y[n, c, i, j] = Σ_{a, b} w[c, 0, a, b] · x[n, c, i·s − p + a, j·s − p + b]`
  ///
  /// Each zero-padded input plane is split once into its s² stride phases
  /// (rows and columns grouped by their remainder mod s), after which every
  /// filter tap is one long contiguous vector product; planes split across
  /// threads.
  ///
  /// - Parameters:
  ///   - input: `[N, C, H, W]`.
  ///   - filter: `[C, 1, KH, KW]`.
  ///   - stride: The step between output positions.
  ///   - padding: Zeros added on every side.
  /// - Returns: `[N, C, Ho, Wo]`, `Ho = (H + 2p − KH)/s + 1`.
  /// - Complexity: O(N·C·Ho·Wo·KH·KW).
  public static func depthwiseConv2d(_ input: Tensor, filter: Tensor, stride: Int = 1, padding: Int = 0) -> Tensor {
    DepthwiseConvolutionGeometry(input: input.shape, filter: filter.shape, stride: stride, padding: padding)
      .forward(input, filter: filter)
  }

  /// The adjoint of ``depthwiseConv2d(_:filter:stride:padding:)`` with
  /// respect to its input.
  ///
  /// `dx[n, c, r, q] = Σ_{i·s − p + a = r, j·s − p + b = q} w[c, 0, a, b] · dy[n, c, i, j]`
  ///
  /// - Parameters:
  ///   - outputGradient: `[N, C, Ho, Wo]`.
  ///   - filter: `[C, 1, KH, KW]`.
  ///   - inputShape: `[N, C, H, W]` of the forward convolution.
  ///   - stride: The forward convolution's stride.
  ///   - padding: The forward convolution's zero padding.
  /// - Complexity: O(N·C·H·W·KH·KW / s²).
  public static func depthwiseConv2dInputGradient(
    _ outputGradient: Tensor, filter: Tensor, inputShape: [Int], stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = DepthwiseConvolutionGeometry(input: inputShape, filter: filter.shape, stride: stride, padding: padding)
    precondition(outputGradient.shape == g.outputShape, "depthwiseConv2dInputGradient: output gradient \(outputGradient.shape), expected \(g.outputShape)")
    return g.inputGradient(outputGradient, filter: filter)
  }

  /// The gradient of ``depthwiseConv2d(_:filter:stride:padding:)`` with
  /// respect to its filter.
  ///
  /// `dw[c, 0, a, b] = Σ_{n, i, j} x[n, c, i·s − p + a, j·s − p + b] · dy[n, c, i, j]`
  ///
  /// The sums are taken per plane and added in batch order, so the result
  /// does not depend on the thread count.
  ///
  /// - Parameters:
  ///   - input: `[N, C, H, W]`.
  ///   - outputGradient: `[N, C, Ho, Wo]`.
  ///   - filterShape: `[C, 1, KH, KW]`.
  ///   - stride: The forward convolution's stride.
  ///   - padding: The forward convolution's zero padding.
  /// - Complexity: O(N·C·Ho·Wo·KH·KW).
  public static func depthwiseConv2dFilterGradient(
    _ input: Tensor, outputGradient: Tensor, filterShape: [Int], stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = DepthwiseConvolutionGeometry(input: input.shape, filter: filterShape, stride: stride, padding: padding)
    precondition(outputGradient.shape == g.outputShape, "depthwiseConv2dFilterGradient: output gradient \(outputGradient.shape), expected \(g.outputShape)")
    return g.filterGradient(input, outputGradient: outputGradient)
  }
}
