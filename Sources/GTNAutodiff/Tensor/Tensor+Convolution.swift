/// The geometry of a 2-D convolution over NCHW tensors: square-free kernel
/// size, stride and zero padding, and the input and output extents.
public struct Convolution2DGeometry: Hashable, Sendable {
  public var batch: Int, inputChannels: Int, height: Int, width: Int
  public var outputChannels: Int, kernelHeight: Int, kernelWidth: Int
  public var stride: Int, padding: Int

  public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
  public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
  var inputShape: [Int] { [batch, inputChannels, height, width] }
  var filterShape: [Int] { [outputChannels, inputChannels, kernelHeight, kernelWidth] }
  var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }
  /// Rows of the im2col matrix: C·KH·KW.
  var patchSize: Int { inputChannels * kernelHeight * kernelWidth }
  /// Columns of the im2col matrix: Ho·Wo.
  var outputPlane: Int { outputHeight * outputWidth }

  init(input: [Int], filter: [Int], stride: Int, padding: Int) {
    precondition(input.count == 4, "conv2d input must be NCHW, got shape \(input)")
    precondition(filter.count == 4, "conv2d filter must be [out, in, kh, kw], got shape \(filter)")
    precondition(input[1] == filter[1], "conv2d input has \(input[1]) channels, filter \(filter) expects \(filter[1])")
    precondition(stride >= 1 && padding >= 0, "conv2d needs stride ≥ 1 and padding ≥ 0, got \(stride), \(padding)")
    (batch, inputChannels, height, width) = (input[0], input[1], input[2], input[3])
    (outputChannels, kernelHeight, kernelWidth) = (filter[0], filter[2], filter[3])
    (self.stride, self.padding) = (stride, padding)
    precondition(
      height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
      "conv2d kernel \(filter) larger than padded input \(input)")
  }

  /// Is the im2col matrix the input itself (1×1 kernel, stride 1, no padding)?
  var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }

  /// Stride 1 with output rows as wide as input rows (`2·padding = KW − 1`,
  /// "same" convolutions): a patch-matrix row is then the input plane
  /// shifted by one offset, so it is copied in one piece and only the
  /// columns that wrapped around a row edge are fixed up.
  var hasShiftedPlaneRows: Bool { stride == 1 && outputWidth == width }

  /// For tap `(kh, kw)` of a ``hasShiftedPlaneRows`` geometry: the flat
  /// offset from an output position to its input position, the valid
  /// output rows, and the wrapped columns (`lo..<hi` of every row is valid).
  @inline(__always)
  private func shiftedPlaneTap(_ kh: Int, _ kw: Int) -> (shift: Int, rows: Range<Int>, lo: Int, hi: Int) {
    let (dy, dx) = (kh - padding, kw - padding)
    let first = Swift.min(outputHeight, Swift.max(0, -dy))
    let rows = first..<Swift.max(first, Swift.min(outputHeight, height - dy))
    return (dy * width + dx, rows, Swift.max(0, -dx), Swift.min(width, width - dx))
  }

  /// Zeroes the columns outside `lo..<hi` in the given rows of one patch
  /// row (the positions that fall on the zero padding).
  @inline(__always)
  private func zeroWrappedColumns(of row: UnsafeMutablePointer<Float>, rows: Range<Int>, lo: Int, hi: Int) {
    let wo = outputWidth
    for r in rows {
      let line = row + r * wo
      for j in 0..<lo { line[j] = 0 }
      for j in hi..<wo { line[j] = 0 }
    }
  }

  /// Writes one image's patches as a `[C·KH·KW, Ho·Wo]` matrix.
  func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (outputHeight, outputWidth)
    if hasShiftedPlaneRows {
      let plane = height * width
      for c in 0..<inputChannels {
        let source = x + c * plane
        for kh in 0..<kernelHeight {
          for kw in 0..<kernelWidth {
            let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ho * wo
            let (shift, rows, lo, hi) = shiftedPlaneTap(kh, kw)
            row.update(repeating: 0, count: rows.lowerBound * wo)
            (row + rows.upperBound * wo).update(repeating: 0, count: (ho - rows.upperBound) * wo)
            if rows.isEmpty { continue }
            // One copy over the valid rows, clamped to the plane (the
            // clamped-off ends are wrapped columns, zeroed below).
            let start = Swift.max(rows.lowerBound * wo, -shift)
            let end = Swift.min(rows.upperBound * wo, plane - shift)
            if end > start { (row + start).update(from: source + start + shift, count: end - start) }
            zeroWrappedColumns(of: row, rows: rows, lo: lo, hi: hi)
          }
        }
      }
      return
    }
    for c in 0..<inputChannels {
      let plane = x + c * height * width
      for kh in 0..<kernelHeight {
        for kw in 0..<kernelWidth {
          let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ho * wo
          for oh in 0..<ho {
            let ih = oh * stride - padding + kh
            let dst = row + oh * wo
            if ih < 0 || ih >= height {
              dst.update(repeating: 0, count: wo)
              continue
            }
            let src = plane + ih * width
            if stride == 1 {
              // Contiguous interior with zero borders. Rows are short (28 or
              // 14 floats on MNIST): inline loops, not memmove/memset calls.
              let lo = Swift.min(wo, Swift.max(0, padding - kw))
              let hi = Swift.max(lo, Swift.min(wo, width + padding - kw))
              for j in 0..<lo { dst[j] = 0 }
              copyFloats(from: src + (lo - padding + kw), to: dst + lo, count: hi - lo)
              for j in hi..<wo { dst[j] = 0 }
            } else {
              for ow in 0..<wo {
                let iw = ow * stride - padding + kw
                dst[ow] = iw >= 0 && iw < width ? src[iw] : 0
              }
            }
          }
        }
      }
    }
  }

  /// The `[C·KH·KW, Ho·Wo]` patch matrix of image `n` of a batch: unfolded
  /// into `scratch`, or the image itself for pointwise convolutions (which
  /// pass no scratch).
  func patchMatrix(ofImage n: Int, in batch: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
    let x = batch + n * inputChannels * height * width
    guard let scratch else { return x }
    im2col(x, into: scratch)
    return UnsafePointer(scratch)
  }

  /// Adds a `[C·KH·KW, Ho·Wo]` patch matrix back into one image (the adjoint
  /// of ``im2col(_:into:)``). May overwrite entries of `cols` that fall on
  /// the zero padding.
  func col2im(_ cols: UnsafeMutablePointer<Float>, addingInto x: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (outputHeight, outputWidth)
    if hasShiftedPlaneRows {
      let plane = height * width
      for c in 0..<inputChannels {
        let target = x + c * plane
        for kh in 0..<kernelHeight {
          for kw in 0..<kernelWidth {
            let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ho * wo
            let (shift, rows, lo, hi) = shiftedPlaneTap(kh, kw)
            if rows.isEmpty { continue }
            // Padding positions contribute nothing: clear the wrapped
            // columns, then add the valid rows in one long loop.
            zeroWrappedColumns(of: row, rows: rows, lo: lo, hi: hi)
            let start = Swift.max(rows.lowerBound * wo, -shift)
            let end = Swift.min(rows.upperBound * wo, plane - shift)
            let (src, dst) = (row, target + shift)
            for j in start..<Swift.max(start, end) { dst[j] += src[j] }
          }
        }
      }
      return
    }
    for c in 0..<inputChannels {
      let plane = x + c * height * width
      for kh in 0..<kernelHeight {
        for kw in 0..<kernelWidth {
          let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ho * wo
          for oh in 0..<ho {
            let ih = oh * stride - padding + kh
            if ih < 0 || ih >= height { continue }
            let src = row + oh * wo
            let dst = plane + ih * width
            if stride == 1 {
              let lo = Swift.max(0, padding - kw)
              let hi = Swift.min(wo, width + padding - kw)
              if hi > lo { addFloats(src + lo, into: dst + (lo - padding + kw), count: hi - lo) }
            } else {
              for ow in 0..<wo {
                let iw = ow * stride - padding + kw
                if iw >= 0 && iw < width { dst[iw] += src[ow] }
              }
            }
          }
        }
      }
    }
  }
}

/// Copies `count` floats four at a time in SIMD registers. The rows of
/// im2col are short (28 or 14 floats on MNIST): a library `memcpy` call
/// costs more than the copy, and a scalar loop (what an index expression
/// with overflow checks compiles to) is four times slower.
@inline(__always)
private func copyFloats(from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
  var j = 0
  while j &+ 4 <= count {
    UnsafeMutableRawPointer(target + j).storeBytes(
      of: UnsafeRawPointer(source + j).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
    j &+= 4
  }
  while j < count {
    target[j] = source[j]
    j &+= 1
  }
}

/// `target[j] += source[j]` for `j < count`, four at a time (col2im's rows).
@inline(__always)
private func addFloats(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
  var j = 0
  while j &+ 4 <= count {
    let sum = UnsafeRawPointer(target + j).loadUnaligned(as: SIMD4<Float>.self)
      + UnsafeRawPointer(source + j).loadUnaligned(as: SIMD4<Float>.self)
    UnsafeMutableRawPointer(target + j).storeBytes(of: sum, as: SIMD4<Float>.self)
    j &+= 4
  }
  while j < count {
    target[j] += source[j]
    j &+= 1
  }
}

extension Tensor {
  /// 2-D cross-correlation (deep learning's "convolution") of an NCHW batch
  /// with a filter bank, with zero padding.
  ///
  /// `y[n, o, i, j] = Σ_{c, a, b} w[o, c, a, b] · x[n, c, i·s − p + a, j·s − p + b]`
  ///
  /// Each image is unfolded into a patch matrix (im2col) and multiplied by the
  /// filter matrix with `cblas_sgemm`; stride-1 filter banks with one or two
  /// output channels use direct kernels instead (see
  /// `Convolution2DGeometry.prefersDirectKernels`).
  ///
  /// With a `bias`, each output plane starts at its channel's bias and the
  /// product is accumulated onto it: `y[n, o, i, j] += bias[o]` at no extra
  /// pass over the output.
  ///
  /// - Parameters:
  ///   - input: `[N, C, H, W]`.
  ///   - filter: `[O, C, KH, KW]`.
  ///   - bias: `[O]`, or `nil` for none.
  ///   - stride: The step between output positions.
  ///   - padding: Zeros added on every side.
  /// - Returns: `[N, O, (H + 2p − KH)/s + 1, (W + 2p − KW)/s + 1]`.
  /// - Complexity: O(N·O·C·KH·KW·Ho·Wo).
  public static func conv2d(_ input: Tensor, filter: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    let g = Convolution2DGeometry(input: input.shape, filter: filter.shape, stride: stride, padding: padding)
    if let bias {
      precondition(bias.shape == [g.outputChannels], "conv2d bias has shape \(bias.shape), expected [\(g.outputChannels)] for filter \(filter.shape)")
    }
    let biasScalars = bias?.storage
    return Tensor.overwriting(shape: g.outputShape, { out in
      let o = out.baseAddress!
      input.withUnsafeBufferPointer { px in
        filter.withUnsafeBufferPointer { pw in
          Parallelism.forEachChunk(of: g.batch, minimumChunk: 8) { images in
            if g.runsOnOneDNN {
              if let biasScalars {
                biasScalars.withUnsafeBufferPointer { pb in
                  g.oneDNNForward(images: images, input: px.baseAddress!, filter: pw.baseAddress!, bias: pb.baseAddress!, output: o)
                }
              } else {
                g.oneDNNForward(images: images, input: px.baseAddress!, filter: pw.baseAddress!, bias: nil, output: o)
              }
              return
            }
            if g.prefersDirectKernels {
              for n in images {
                let y = o + n * g.outputChannels * g.outputPlane
                for c in 0..<g.outputChannels {
                  (y + c * g.outputPlane).update(repeating: biasScalars?[c] ?? 0, count: g.outputPlane)
                }
                g.addDirectConvolution(
                  of: px.baseAddress! + n * g.inputChannels * g.height * g.width, filter: pw.baseAddress!, into: y)
              }
              return
            }
            withPatchBuffer(g) { cols in
              for n in images {
                let patches = g.patchMatrix(ofImage: n, in: px.baseAddress!, scratch: cols)
                let y = o + n * g.outputChannels * g.outputPlane
                if let biasScalars {
                  for c in 0..<g.outputChannels {
                    (y + c * g.outputPlane).update(repeating: biasScalars[c], count: g.outputPlane)
                  }
                }
                gemm(
                  transposingA: false, transposingB: false, m: g.outputChannels, n: g.outputPlane, k: g.patchSize,
                  a: pw.baseAddress!, lda: g.patchSize, b: patches, ldb: g.outputPlane,
                  c: y, ldc: g.outputPlane, accumulating: biasScalars != nil)
              }
            }
          }
        }
      }
    })
  }

  /// The gradient of ``conv2d(_:filter:bias:stride:padding:)`` with respect to its
  /// input, which is also the transposed convolution of `outputGradient`.
  ///
  /// - Parameters:
  ///   - outputGradient: `[N, O, Ho, Wo]`.
  ///   - filter: `[O, C, KH, KW]`.
  ///   - inputShape: `[N, C, H, W]` of the forward input.
  ///   - stride: The forward convolution's stride.
  ///   - padding: The forward convolution's padding.
  public static func conv2dInputGradient(
    _ outputGradient: Tensor, filter: Tensor, inputShape: [Int], stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = Convolution2DGeometry(input: inputShape, filter: filter.shape, stride: stride, padding: padding)
    precondition(outputGradient.shape == g.outputShape, "conv2d output gradient has shape \(outputGradient.shape), expected \(g.outputShape)")
    // Every image's gradient is written by its share: oneDNN and pointwise
    // products overwrite it, the other kernels add into zeros they write
    // first (on the share's thread rather than all at once beforehand).
    return Tensor.overwriting(shape: inputShape) { out in
      let o = out.baseAddress!
      outputGradient.withUnsafeBufferPointer { pg in
        filter.withUnsafeBufferPointer { pw in
          Parallelism.forEachChunk(of: g.batch, minimumChunk: 8) { images in
            if g.runsOnOneDNN {
              g.oneDNNBackwardData(images: images, outputGradient: pg.baseAddress!, filter: pw.baseAddress!, into: o)
              return
            }
            if !g.isPointwise {
              (o + images.lowerBound * g.inputImageSize).update(repeating: 0, count: images.count * g.inputImageSize)
            }
            if g.prefersDirectKernels {
              for n in images {
                g.addDirectInputGradient(
                  of: pg.baseAddress! + n * g.outputChannels * g.outputPlane, filter: pw.baseAddress!,
                  into: o + n * g.inputChannels * g.height * g.width)
              }
              return
            }
            withPatchBuffer(g) { cols in
              for n in images {
                let dx = o + n * g.inputChannels * g.height * g.width
                let gn = pg.baseAddress! + n * g.outputChannels * g.outputPlane
                gemm(
                  transposingA: true, transposingB: false, m: g.patchSize, n: g.outputPlane, k: g.outputChannels,
                  a: pw.baseAddress!, lda: g.patchSize, b: gn, ldb: g.outputPlane,
                  c: cols ?? dx, ldc: g.outputPlane, accumulating: false)
                if let cols { g.col2im(cols, addingInto: dx) }
              }
            }
          }
        }
      }
    }
  }

  /// The gradient of ``conv2d(_:filter:bias:stride:padding:)`` with respect to its
  /// filter: `dw[o, c, a, b] = Σ_{n, i, j} g[n, o, i, j] · x[n, c, i·s − p + a, j·s − p + b]`.
  ///
  /// The batch is split into up to eight shares fixed by the batch size;
  /// each accumulates its images into a private filter gradient (the shares
  /// run on ``Parallelism``'s threads), and the shares are summed in order,
  /// so the result is the same on any number of threads.
  ///
  /// - Parameters:
  ///   - input: `[N, C, H, W]` of the forward pass.
  ///   - outputGradient: `[N, O, Ho, Wo]`.
  ///   - filterShape: `[O, C, KH, KW]`.
  ///   - stride: The forward convolution's stride.
  ///   - padding: The forward convolution's padding.
  public static func conv2dFilterGradient(
    _ input: Tensor, outputGradient: Tensor, filterShape: [Int], stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = Convolution2DGeometry(input: input.shape, filter: filterShape, stride: stride, padding: padding)
    precondition(outputGradient.shape == g.outputShape, "conv2d output gradient has shape \(outputGradient.shape), expected \(g.outputShape)")
    let size = filterShape.product
    // Partial filter gradients fixed by the batch size alone, so the result
    // is the same on any number of threads.
    let shares = Swift.max(1, Swift.min(Parallelism.maximumReductionShares, g.batch))
    // One private accumulator per share; share 0 writes into the result.
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: size * (shares - 1))
    partials.initialize(repeating: 0, count: size * (shares - 1))
    defer { partials.deallocate() }
    var result = Tensor(shape: filterShape) { out in
      let o = out.baseAddress!
      input.withUnsafeBufferPointer { px in
        outputGradient.withUnsafeBufferPointer { pg in
          Parallelism.forEachReductionShare(shares, of: g.batch) { share, images in
            let accumulator = share == 0 ? o : partials + (share - 1) * size
            if g.runsOnOneDNN {
              g.oneDNNBackwardWeights(images: images, input: px.baseAddress!, outputGradient: pg.baseAddress!, into: accumulator)
              return
            }
            if g.prefersDirectKernels {
              for n in images {
                g.addDirectFilterGradient(
                  input: px.baseAddress! + n * g.inputChannels * g.height * g.width,
                  outputGradient: pg.baseAddress! + n * g.outputChannels * g.outputPlane, into: accumulator)
              }
              return
            }
            withPatchBuffer(g) { cols in
              for n in images {
                let patches = g.patchMatrix(ofImage: n, in: px.baseAddress!, scratch: cols)
                gemm(
                  transposingA: false, transposingB: true, m: g.outputChannels, n: g.patchSize, k: g.outputPlane,
                  a: pg.baseAddress! + n * g.outputChannels * g.outputPlane, lda: g.outputPlane,
                  b: patches, ldb: g.outputPlane,
                  c: accumulator, ldc: g.patchSize, accumulating: true)
              }
            }
          }
        }
      }
    }
    if shares > 1 {
      result.withUnsafeMutableBufferPointer { r in
        for share in 1..<shares {
          let p = partials + (share - 1) * size
          for j in 0..<size { r[j] += p[j] }
        }
      }
    }
    return result
  }

  /// Runs `body` with a scratch patch matrix, or `nil` for pointwise
  /// convolutions, which need none.
  private static func withPatchBuffer<R>(
    _ g: Convolution2DGeometry, _ body: (UnsafeMutablePointer<Float>?) -> R
  ) -> R {
    if g.isPointwise { return body(nil) }
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
    defer { buffer.deallocate() }
    return body(buffer)
  }
}
