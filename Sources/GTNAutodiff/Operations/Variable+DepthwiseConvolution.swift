// As for the full convolution, the three depthwise maps are each other's
// adjoints, so their backward rules close over the set and derivatives of
// any order are available:
//   y  = dw(x, w)          dx = dwInput(g, w)      dw = dwFilter(x, g)
//   x' = dwInput(g, w)     dg = dw(d, w)           dw = dwFilter(d, g)
//   w' = dwFilter(x, g)    dx = dwInput(g, d)      dg = dw(x, d)

/// Depthwise 2-D convolution of an NCHW batch: each channel convolved with
/// its own `KH×KW` filter, as in depthwise-separable convolutions.
///
/// `y[n, c, i, j] = Σ_{a, b} w[c, 0, a, b] · x[n, c, i·s − p + a, j·s − p + b]`
///
/// - Parameters:
///   - input: `[N, C, H, W]`.
///   - filter: `[C, 1, KH, KW]`.
///   - stride: The step between output positions.
///   - padding: Zeros added on every side.
/// - Returns: `[N, C, Ho, Wo]` with `Ho = (H + 2p − KH)/s + 1`.
/// - Complexity: O(N·C·Ho·Wo·KH·KW).
public func depthwiseConv2d(_ input: Variable, filter: Variable, stride: Int = 1, padding: Int = 0) -> Variable {
  let value = Tensor.depthwiseConv2d(input.value, filter: filter.value, stride: stride, padding: padding)
  let (inputShape, filterShape) = (input.shape, filter.shape)
  return Variable.recording(value, inputs: [input, filter], saving: .inputs([0, 1])) { c in
    [c.needsGradient(0)
       ? depthwiseConv2dInputGradient(c.upstream, filter: c.inputs[1], inputShape: inputShape, stride: stride, padding: padding)
       : nil,
     c.needsGradient(1)
       ? depthwiseConv2dFilterGradient(c.inputs[0], outputGradient: c.upstream, filterShape: filterShape, stride: stride, padding: padding)
       : nil]
  }
}

/// The adjoint of ``depthwiseConv2d(_:filter:stride:padding:)`` with respect
/// to its input, as a differentiable operation.
///
/// - Parameters:
///   - input: `[N, C, Ho, Wo]`, a gradient with respect to the output.
///   - filter: `[C, 1, KH, KW]`.
///   - inputShape: `[N, C, H, W]`, the forward convolution's input shape.
///   - stride: The forward convolution's stride.
///   - padding: The forward convolution's zero padding.
public func depthwiseConv2dInputGradient(
  _ input: Variable, filter: Variable, inputShape: [Int], stride: Int = 1, padding: Int = 0
) -> Variable {
  let value = Tensor.depthwiseConv2dInputGradient(input.value, filter: filter.value, inputShape: inputShape, stride: stride, padding: padding)
  let filterShape = filter.shape
  return Variable.recording(value, inputs: [input, filter], saving: .inputs([0, 1])) { c in
    [c.needsGradient(0) ? depthwiseConv2d(c.upstream, filter: c.inputs[1], stride: stride, padding: padding) : nil,
     c.needsGradient(1)
       ? depthwiseConv2dFilterGradient(c.upstream, outputGradient: c.inputs[0], filterShape: filterShape, stride: stride, padding: padding)
       : nil]
  }
}

/// The gradient of a depthwise convolution with respect to its filter, as a
/// differentiable operation of the input and the output gradient.
///
/// - Parameters:
///   - input: `[N, C, H, W]`, the forward convolution's input.
///   - outputGradient: `[N, C, Ho, Wo]`.
///   - filterShape: `[C, 1, KH, KW]`.
///   - stride: The forward convolution's stride.
///   - padding: The forward convolution's zero padding.
public func depthwiseConv2dFilterGradient(
  _ input: Variable, outputGradient: Variable, filterShape: [Int], stride: Int = 1, padding: Int = 0
) -> Variable {
  let value = Tensor.depthwiseConv2dFilterGradient(input.value, outputGradient: outputGradient.value, filterShape: filterShape, stride: stride, padding: padding)
  let inputShape = input.shape
  return Variable.recording(value, inputs: [input, outputGradient], saving: .inputs([0, 1])) { c in
    [c.needsGradient(0)
       ? depthwiseConv2dInputGradient(c.inputs[1], filter: c.upstream, inputShape: inputShape, stride: stride, padding: padding)
       : nil,
     c.needsGradient(1) ? depthwiseConv2d(c.inputs[0], filter: c.upstream, stride: stride, padding: padding) : nil]
  }
}
