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

  /// The sides of a zero-padded input plane.
  var paddedHeight: Int { h + 2 * p }
  var paddedWidth: Int { w + 2 * p }
  var planeCount: Int { n * c }
  var taps: Int { kh * kw }

  /// The offsets of the filter's taps in a padded plane, in the filter's
  /// row-major order.
  var tapOffsets: [Int] { (0..<kh).flatMap { a in (0..<kw).map { b in a * paddedWidth + b } } }

  /// How many shares the planes of a kernel touching `elements` scalars split into.
  func planeShares(elements: Int) -> Int { Parallelism.shareCount(elements: elements, pieces: planeCount) }

  // MARK: Unit stride on flat padded planes
  //
  // With stride 1, output (i, j) reads the padded plane at `i·Wp + j + o`
  // for tap offset `o = a·Wp + b`. Laid over the padded width, the output
  // plane becomes one flat vector `t = i·Wp + j` whose columns j ≥ Wo are
  // junk: every tap is then one long contiguous product, which vectorises,
  // instead of Ho short rows of Wo. Reading the junk columns of an output
  // gradient as zeros makes the adjoints exact.

  /// Scalars after a padded plane that the flat loops may read: the last
  /// tap of the last flat output reaches `KW − 1` past the plane.
  var flatSlack: Int { kw }

  /// Copies input plane `plane` into `padded` (`Hp·Wp + flatSlack` scalars
  /// whose border and slack are already zero).
  @inline(__always)
  func pad(_ x: UnsafePointer<Float>, plane: Int, into padded: UnsafeMutablePointer<Float>) {
    let wp = paddedWidth
    for r in 0..<h { (padded + (r + p) * wp + p).update(from: x + (plane * h + r) * w, count: w) }
  }

  /// Copies output-gradient plane `plane` into `flat` at row stride Wp,
  /// junk columns zero (`flat` holds `Ho·Wp` scalars).
  @inline(__always)
  func spread(_ dy: UnsafePointer<Float>, plane: Int, into flat: UnsafeMutablePointer<Float>) {
    let wp = paddedWidth
    for i in 0..<ho {
      (flat + i * wp).update(from: dy + (plane * ho + i) * wo, count: wo)
      (flat + i * wp + wo).update(repeating: 0, count: wp - wo)
    }
  }

  /// `out[t] = Σ_k weights[k] · source[t + offsets[k]]` for `t < count`,
  /// sixteen lanes at a time, taps in order.
  @inline(__always)
  static func correlate(_ source: UnsafePointer<Float>, _ offsets: UnsafeBufferPointer<Int>, _ weights: UnsafePointer<Float>,
                        into out: UnsafeMutablePointer<Float>, count: Int) {
    var t = 0
    while t + 16 <= count {
      var sum = SIMD16<Float>()
      for k in 0..<offsets.count {
        sum += weights[k] * UnsafeRawPointer(source + t + offsets[k]).loadUnaligned(as: SIMD16<Float>.self)
      }
      UnsafeMutableRawPointer(out + t).storeBytes(of: sum, as: SIMD16<Float>.self)
      t += 16
    }
    while t < count {
      var sum: Float = 0
      for k in 0..<offsets.count { sum += weights[k] * source[t + offsets[k]] }
      out[t] = sum
      t += 1
    }
  }

  /// `Σ_t a[t] · b[t]` for `t < count` in a fixed order (sixteen lanes, then
  /// the rest), so equal inputs give equal sums.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD16<Float>()
    var t = 0
    while t + 16 <= count {
      lanes += UnsafeRawPointer(a + t).loadUnaligned(as: SIMD16<Float>.self) * UnsafeRawPointer(b + t).loadUnaligned(as: SIMD16<Float>.self)
      t += 16
    }
    var sum = lanes.sum()
    while t < count { sum += a[t] * b[t]; t += 1 }
    return sum
  }

  // MARK: Any stride, plane by plane

  /// Calls `body(plane, channel, padded)` for every input plane with the
  /// plane zero-padded to `[paddedHeight, paddedWidth]` (the plane itself
  /// when there is no padding), so that every tap of every output lies
  /// inside it.
  @inline(__always)
  func forEachPaddedPlane(_ x: UnsafeBufferPointer<Float>, _ body: (_ plane: Int, _ channel: Int, _ padded: UnsafePointer<Float>) -> Void) {
    guard p > 0 else {
      for plane in 0..<(n * c) { body(plane, plane % c, x.baseAddress! + plane * h * w) }
      return
    }
    let wp = paddedWidth
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: paddedHeight * wp)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: 0, count: paddedHeight * wp)
    for plane in 0..<(n * c) {
      for r in 0..<h { (buffer + (r + p) * wp + p).update(from: x.baseAddress! + (plane * h + r) * w, count: w) }
      body(plane, plane % c, buffer)
    }
  }

  /// `destination[j] += weight · source[j·s]` for `j < count`.
  @inline(__always)
  func accumulate(_ destination: UnsafeMutablePointer<Float>, _ weight: Float, _ source: UnsafePointer<Float>, count: Int) {
    if s == 1 {
      for j in 0..<count { destination[j] += weight * source[j] }
    } else {
      for j in 0..<count { destination[j] += weight * source[j * s] }
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
    if g.s == 1 { return g.unitStrideForward(input, filter: filter) }
    return Tensor(shape: g.outputShape) { y in
      input.withUnsafeBufferPointer { x in
        filter.withUnsafeBufferPointer { f in
          // Tap by tap over the whole padded plane: long, contiguous inner loops.
          g.forEachPaddedPlane(x) { plane, channel, xp in
            let yPlane = y.baseAddress! + plane * g.ho * g.wo
            for a in 0..<g.kh {
              for b in 0..<g.kw {
                let weight = f[(channel * g.kh + a) * g.kw + b]
                for i in 0..<g.ho { g.accumulate(yPlane + i * g.wo, weight, xp + (i * g.s + a) * g.paddedWidth + b, count: g.wo) }
              }
            }
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
    if g.s == 1 { return g.unitStrideInputGradient(outputGradient, filter: filter) }
    let (hp, wp) = (g.paddedHeight, g.paddedWidth)
    return Tensor(shape: inputShape) { dx in
      outputGradient.withUnsafeBufferPointer { dy in
        filter.withUnsafeBufferPointer { f in
          // Scatter into a zero-padded plane, then keep its interior.
          let padded = UnsafeMutablePointer<Float>.allocate(capacity: hp * wp)
          defer { padded.deallocate() }
          for plane in 0..<(g.n * g.c) {
            let channel = plane % g.c
            let dxPlane = dx.baseAddress! + plane * g.h * g.w
            let target = g.p == 0 ? dxPlane : padded
            if g.p > 0 { padded.update(repeating: 0, count: hp * wp) }
            let dyPlane = dy.baseAddress! + plane * g.ho * g.wo
            for a in 0..<g.kh {
              for b in 0..<g.kw {
                let weight = f[(channel * g.kh + a) * g.kw + b]
                for i in 0..<g.ho {
                  let row = target + (i * g.s + a) * wp + b
                  let source = dyPlane + i * g.wo
                  if g.s == 1 {
                    for j in 0..<g.wo { row[j] += weight * source[j] }
                  } else {
                    for j in 0..<g.wo { row[j * g.s] += weight * source[j] }
                  }
                }
              }
            }
            if g.p > 0 {
              for r in 0..<g.h { (dxPlane + r * g.w).update(from: padded + (r + g.p) * wp + g.p, count: g.w) }
            }
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
    if g.s == 1 { return g.unitStrideFilterGradient(input, outputGradient: outputGradient) }
    return Tensor(shape: filterShape) { df in
      input.withUnsafeBufferPointer { x in
        outputGradient.withUnsafeBufferPointer { dy in
          g.forEachPaddedPlane(x) { plane, channel, xp in
            let dyPlane = dy.baseAddress! + plane * g.ho * g.wo
            for a in 0..<g.kh {
              for b in 0..<g.kw {
                var total: Float = 0
                for i in 0..<g.ho {
                  let row = xp + (i * g.s + a) * g.paddedWidth + b
                  let source = dyPlane + i * g.wo
                  var sum: Float = 0
                  if g.s == 1 {
                    // Sixteen lanes, then the remainder: a fixed order, so equal inputs give equal sums.
                    var lanes = SIMD16<Float>()
                    var j = 0
                    while j + 16 <= g.wo {
                      lanes += UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                        * UnsafeRawPointer(source + j).loadUnaligned(as: SIMD16<Float>.self)
                      j += 16
                    }
                    sum = lanes.sum()
                    while j < g.wo { sum += row[j] * source[j]; j += 1 }
                  } else {
                    for j in 0..<g.wo { sum += row[j * g.s] * source[j] }
                  }
                  total += sum
                }
                df[(channel * g.kh + a) * g.kw + b] += total
              }
            }
          }
        }
      }
    }
  }
}
