/// The geometry of a depthwise convolution: `[N, C, H, W]` input, `[C, 1, KH, KW]`
/// filter (one filter per channel), stride and zero padding.
struct DepthwiseConvolutionGeometry {
  let n: Int, c: Int, h: Int, w: Int, kh: Int, kw: Int, s: Int, p: Int, ho: Int, wo: Int

  init(input: [Int], filter: [Int], stride: Int, padding: Int) {
    precondition(input.count == 4 && filter.count == 4 && filter[0] == input[1] && filter[1] == 1, "depthwiseConv2d needs input [N, C, H, W] and filter [C, 1, KH, KW], got \(input) and \(filter)")
    precondition(stride >= 1 && padding >= 0, "depthwiseConv2d needs stride ≥ 1 and padding ≥ 0, got \(stride), \(padding)")
    (n, c, h, w) = (input[0], input[1], input[2], input[3])
    (kh, kw, s, p) = (filter[2], filter[3], stride, padding)
    ho = (h + 2 * p - kh) / s + 1
    wo = (w + 2 * p - kw) / s + 1
    precondition(h + 2 * p >= kh && w + 2 * p >= kw, "depthwiseConv2d kernel \(filter) larger than padded input \(input) (padding \(padding))")
  }

  var inputShape: [Int] { [n, c, h, w] }
  var filterShape: [Int] { [c, 1, kh, kw] }
  var outputShape: [Int] { [n, c, ho, wo] }

  /// The output columns `j` whose input column `j·s − p + b` lies inside the image.
  @inline(__always)
  func validColumns(_ b: Int) -> Range<Int> {
    let low = p - b
    let first = low <= 0 ? 0 : (low + s - 1) / s
    let high = w - 1 + p - b  // largest j·s allowed
    let last = high < 0 ? -1 : Swift.min(wo - 1, high / s)
    return first <= last ? first..<(last + 1) : 0..<0
  }

  /// Calls `body(plane, channel, i, a, r, b, columns)` for every output row
  /// `i` of every plane, kernel row `a` whose input row `r` is inside the
  /// image, and kernel column `b` with its valid output columns.
  @inline(__always)
  func forEachTap(_ body: (_ plane: Int, _ channel: Int, _ i: Int, _ a: Int, _ r: Int, _ b: Int, _ columns: Range<Int>) -> Void) {
    let columns = (0..<kw).map(validColumns)
    for plane in 0..<(n * c) {
      let channel = plane % c
      for i in 0..<ho {
        for a in 0..<kh {
          let r = i * s - p + a
          if r < 0 || r >= h { continue }
          for b in 0..<kw { body(plane, channel, i, a, r, b, columns[b]) }
        }
      }
    }
  }
}

extension Tensor {
  /// Depthwise 2-D convolution (cross-correlation): every channel with its own
  /// filter, no mixing across channels.
  ///
  /// `y[n, c, i, j] = Σ_{a, b} w[c, 0, a, b] · x[n, c, i·s − p + a, j·s − p + b]`
  ///
  /// - Parameters:
  ///   - input: `[N, C, H, W]`.
  ///   - filter: `[C, 1, KH, KW]`.
  ///   - stride: The step between output positions.
  ///   - padding: Zeros added on every side.
  /// - Returns: `[N, C, Ho, Wo]`, `Ho = (H + 2p − KH)/s + 1`.
  /// - Complexity: O(N·C·Ho·Wo·KH·KW).
  public static func depthwiseConv2d(_ input: Tensor, filter: Tensor, stride: Int = 1, padding: Int = 0) -> Tensor {
    let g = DepthwiseConvolutionGeometry(input: input.shape, filter: filter.shape, stride: stride, padding: padding)
    return Tensor(shape: g.outputShape) { y in
      input.withUnsafeBufferPointer { x in
        filter.withUnsafeBufferPointer { f in
          g.forEachTap { plane, channel, i, a, r, b, columns in
            let weight = f[(channel * g.kh + a) * g.kw + b]
            let xRow = (plane * g.h + r) * g.w - g.p + b
            let yRow = (plane * g.ho + i) * g.wo
            for j in columns { y[yRow + j] += weight * x[xRow + j * g.s] }
          }
        }
      }
    }
  }

  /// The adjoint of ``depthwiseConv2d(_:filter:stride:padding:)`` with
  /// respect to its input.
  ///
  /// - Parameters:
  ///   - outputGradient: `[N, C, Ho, Wo]`.
  ///   - filter: `[C, 1, KH, KW]`.
  ///   - inputShape: `[N, C, H, W]` of the forward convolution.
  ///   - stride: The forward convolution's stride.
  ///   - padding: The forward convolution's zero padding.
  public static func depthwiseConv2dInputGradient(
    _ outputGradient: Tensor, filter: Tensor, inputShape: [Int], stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = DepthwiseConvolutionGeometry(input: inputShape, filter: filter.shape, stride: stride, padding: padding)
    precondition(outputGradient.shape == g.outputShape, "depthwiseConv2dInputGradient: output gradient \(outputGradient.shape), expected \(g.outputShape)")
    return Tensor(shape: inputShape) { dx in
      outputGradient.withUnsafeBufferPointer { dy in
        filter.withUnsafeBufferPointer { f in
          g.forEachTap { plane, channel, i, a, r, b, columns in
            let weight = f[(channel * g.kh + a) * g.kw + b]
            let xRow = (plane * g.h + r) * g.w - g.p + b
            let yRow = (plane * g.ho + i) * g.wo
            for j in columns { dx[xRow + j * g.s] += weight * dy[yRow + j] }
          }
        }
      }
    }
  }

  /// The gradient of ``depthwiseConv2d(_:filter:stride:padding:)`` with
  /// respect to its filter.
  ///
  /// `dw[c, 0, a, b] = Σ_{n, i, j} x[n, c, i·s − p + a, j·s − p + b] · dy[n, c, i, j]`
  ///
  /// - Parameters:
  ///   - input: `[N, C, H, W]`.
  ///   - outputGradient: `[N, C, Ho, Wo]`.
  ///   - filterShape: `[C, 1, KH, KW]`.
  ///   - stride: The forward convolution's stride.
  ///   - padding: The forward convolution's zero padding.
  public static func depthwiseConv2dFilterGradient(
    _ input: Tensor, outputGradient: Tensor, filterShape: [Int], stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = DepthwiseConvolutionGeometry(input: input.shape, filter: filterShape, stride: stride, padding: padding)
    precondition(outputGradient.shape == g.outputShape, "depthwiseConv2dFilterGradient: output gradient \(outputGradient.shape), expected \(g.outputShape)")
    return Tensor(shape: filterShape) { df in
      input.withUnsafeBufferPointer { x in
        outputGradient.withUnsafeBufferPointer { dy in
          g.forEachTap { plane, channel, i, a, r, b, columns in
            let xRow = (plane * g.h + r) * g.w - g.p + b
            let yRow = (plane * g.ho + i) * g.wo
            var sum: Float = 0
            for j in columns { sum += x[xRow + j * g.s] * dy[yRow + j] }
            df[(channel * g.kh + a) * g.kw + b] += sum
          }
        }
      }
    }
  }
}
