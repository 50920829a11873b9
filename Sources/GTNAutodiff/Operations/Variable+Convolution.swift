// The three convolution maps are each other's adjoints, so their backward
// rules close over the set:
//   y  = conv(x, w)          dx = convInput(g, w)      dw = convFilter(x, g)
//   x' = convInput(g, w)     dg = conv(d, w)           dw = convFilter(d, g)
//   w' = convFilter(x, g)    dx = convInput(g, d)      dg = conv(x, d)

/// 2-D convolution (cross-correlation) of an NCHW batch with a filter bank.
///
/// `y[n, o, i, j] = Σ_{c, a, b} w[o, c, a, b] · x[n, c, i·s − p + a, j·s − p + b]`
///
/// - Parameters:
///   - input: `[N, C, H, W]`.
///   - filter: `[O, C, KH, KW]`.
///   - stride: The step between output positions.
///   - padding: Zeros added on every side.
/// - Returns: `[N, O, Ho, Wo]` with `Ho = (H + 2p − KH)/s + 1`.
/// - Complexity: O(N·O·C·KH·KW·Ho·Wo), on `cblas_sgemm`.
public func conv2d(_ input: Variable, filter: Variable, stride: Int = 1, padding: Int = 0) -> Variable {
  let value = Tensor.conv2d(input.value, filter: filter.value, stride: stride, padding: padding)
  let (inputShape, filterShape) = (input.shape, filter.shape)
  return Variable.recording(value, inputs: [input, filter], saving: .inputs([0, 1])) { c in
    convolutionGradients(c, inputShape: inputShape, filterShape: filterShape, stride: stride, padding: padding)
  }
}

/// The gradients of a convolution's input and filter (inputs 0 and 1 of
/// `c`). The filter's comes first: an input that is computed again when read
/// (an upsampled one) is then freed before the input's gradient is made.
private func convolutionGradients(
  _ c: BackwardContext, inputShape: [Int], filterShape: [Int], stride: Int, padding: Int
) -> [Variable?] {
  let filterGradient = c.needsGradient(1)
    ? conv2dFilterGradient(c.inputs[0], outputGradient: c.upstream, filterShape: filterShape, stride: stride, padding: padding)
    : nil
  let inputGradient = c.needsGradient(0)
    ? conv2dInputGradient(c.upstream, filter: c.inputs[1], inputShape: inputShape, stride: stride, padding: padding)
    : nil
  return [inputGradient, filterGradient]
}

/// 2-D convolution with a bias per output channel:
/// `y[n, o, i, j] = b[o] + Σ_{c, a, b'} w[o, c, a, b'] · x[n, c, i·s − p + a, j·s − p + b']`.
///
/// The same value and derivatives, to every order, as
/// `conv2d(input, filter:) + bias.reshaped(to: [1, O, 1, 1])`, without the
/// separate broadcasting pass over the output: the bias's gradient is the
/// upstream gradient summed over the batch and the plane.
///
/// - Parameters:
///   - input: `[N, C, H, W]`.
///   - filter: `[O, C, KH, KW]`.
///   - bias: `[O]`.
///   - stride: The step between output positions.
///   - padding: Zeros added on every side.
/// - Returns: `[N, O, Ho, Wo]`.
/// - Complexity: O(N·O·C·KH·KW·Ho·Wo), on `cblas_sgemm`.
public func conv2d(_ input: Variable, filter: Variable, bias: Variable, stride: Int = 1, padding: Int = 0) -> Variable {
  let value = Tensor.conv2d(input.value, filter: filter.value, bias: bias.value, stride: stride, padding: padding)
  let (inputShape, filterShape) = (input.shape, filter.shape)
  let channels = filterShape[0]
  return Variable.recording(value, inputs: [input, filter, bias], saving: .inputs([0, 1])) { c in
    convolutionGradients(c, inputShape: inputShape, filterShape: filterShape, stride: stride, padding: padding)
      + [c.needsGradient(2) ? c.upstream.summed(toShape: [1, channels, 1, 1]).reshaped(to: [channels]) : nil]
  }
}

/// The transposed convolution ("deconvolution"): the adjoint of
/// ``conv2d(_:filter:stride:padding:)`` with respect to its input.
///
/// - Parameters:
///   - input: `[N, O, Ho, Wo]`.
///   - filter: `[O, C, KH, KW]` (the forward convolution's filter layout).
///   - inputShape: `[N, C, H, W]`, the shape of the forward convolution's
///     input (and of the result), which the stride alone cannot determine.
///   - stride: The forward convolution's stride.
///   - padding: The forward convolution's zero padding.
public func conv2dInputGradient(
  _ input: Variable, filter: Variable, inputShape: [Int], stride: Int = 1, padding: Int = 0
) -> Variable {
  let value = Tensor.conv2dInputGradient(input.value, filter: filter.value, inputShape: inputShape, stride: stride, padding: padding)
  let filterShape = filter.shape
  return Variable.recording(value, inputs: [input, filter], saving: .inputs([0, 1])) { c in
    [c.needsGradient(0) ? conv2d(c.upstream, filter: c.inputs[1], stride: stride, padding: padding) : nil,
     c.needsGradient(1)
       ? conv2dFilterGradient(c.upstream, outputGradient: c.inputs[0], filterShape: filterShape, stride: stride, padding: padding)
       : nil]
  }
}

/// The gradient of a convolution with respect to its filter, as a
/// differentiable operation of the input and the output gradient.
public func conv2dFilterGradient(
  _ input: Variable, outputGradient: Variable, filterShape: [Int], stride: Int = 1, padding: Int = 0
) -> Variable {
  let value = Tensor.conv2dFilterGradient(input.value, outputGradient: outputGradient.value, filterShape: filterShape, stride: stride, padding: padding)
  let inputShape = input.shape
  return Variable.recording(value, inputs: [input, outputGradient], saving: .inputs([0, 1])) { c in
    [c.needsGradient(0)
       ? conv2dInputGradient(c.inputs[1], filter: c.upstream, inputShape: inputShape, stride: stride, padding: padding)
       : nil,
     c.needsGradient(1) ? conv2d(c.inputs[0], filter: c.upstream, stride: stride, padding: padding) : nil]
  }
}

/// Transposed 2-D convolution, as used by upsampling generators.
///
/// - Parameters:
///   - input: `[N, O, Hi, Wi]`.
///   - filter: `[O, C, KH, KW]`.
///   - stride: The upsampling stride.
///   - padding: The padding of the convolution this transposes.
/// - Returns: `[N, C, (Hi − 1)·s − 2p + KH, (Wi − 1)·s − 2p + KW]`.
public func conv2dTransposed(_ input: Variable, filter: Variable, stride: Int = 1, padding: Int = 0) -> Variable {
  precondition(input.rank == 4 && filter.rank == 4 && input.shape[1] == filter.shape[0], "conv2dTransposed: input \(input.shape) does not match filter \(filter.shape)")
  let h = (input.shape[2] - 1) * stride - 2 * padding + filter.shape[2]
  let w = (input.shape[3] - 1) * stride - 2 * padding + filter.shape[3]
  return conv2dInputGradient(input, filter: filter, inputShape: [input.shape[0], filter.shape[1], h, w], stride: stride, padding: padding)
}
