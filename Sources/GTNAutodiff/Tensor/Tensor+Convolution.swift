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

  /// Writes one image's patches as a `[C·KH·KW, Ho·Wo]` matrix whose rows
  /// lie `rowStride` floats apart (`Ho·Wo` when the matrix holds this image
  /// alone; a multiple of it when images sit side by side in one block).
  func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, rowStride: Int) {
    let (ho, wo) = (outputHeight, outputWidth)
    for c in 0..<inputChannels {
      let plane = x + c * height * width
      for kh in 0..<kernelHeight {
        for kw in 0..<kernelWidth {
          let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * rowStride
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
              let from = src + (lo - padding + kw)
              for j in 0..<lo { dst[j] = 0 }
              for j in lo..<hi { dst[j] = from[j - lo] }
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

  /// Floats of patch matrix per block of images: big enough that one
  /// `sgemm` per block runs at full speed, small enough to stay in a core's
  /// L2 cache (1 MB).
  static let floatsPerBlock = 1 << 18

  /// The most images whose patch matrices are unfolded side by side into
  /// one `[C·KH·KW, b·Ho·Wo]` block; 1 for pointwise convolutions, whose
  /// images are their own patch matrices.
  var maximumImagesPerBlock: Int {
    isPointwise ? 1 : Swift.max(1, Swift.min(batch, Self.floatsPerBlock / Swift.max(1, patchSize * outputPlane)))
  }

  /// Splits `images` into blocks of at most ``maximumImagesPerBlock``
  /// images, as equal as possible, and runs `body` on each.
  func forEachBlock(of images: Range<Int>, _ body: (Range<Int>) -> Void) {
    let count = images.count
    guard count > 0 else { return }
    let blocks = (count + maximumImagesPerBlock - 1) / maximumImagesPerBlock
    for block in 0..<blocks {
      body((images.lowerBound + count * block / blocks)..<(images.lowerBound + count * (block + 1) / blocks))
    }
  }

  /// The `[C·KH·KW, b·Ho·Wo]` patch matrix of a block of `b` images of a
  /// batch, image `i` of the block in columns `i·Ho·Wo..<(i + 1)·Ho·Wo`:
  /// unfolded into `scratch`, or the image itself for a pointwise
  /// convolution's one-image blocks (which pass no scratch).
  func patchMatrix(ofImages images: Range<Int>, in batch: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
    let imageSize = inputChannels * height * width
    guard let scratch else {
      precondition(images.count == 1, "a pointwise convolution's blocks hold one image, got \(images)")
      return batch + images.lowerBound * imageSize
    }
    let rowStride = images.count * outputPlane
    for (i, n) in images.enumerated() {
      im2col(batch + n * imageSize, into: scratch + i * outputPlane, rowStride: rowStride)
    }
    return UnsafePointer(scratch)
  }

  /// Adds a `[C·KH·KW, Ho·Wo]` patch matrix with rows `rowStride` floats
  /// apart back into one image (the adjoint of ``im2col(_:into:rowStride:)``).
  func col2im(_ cols: UnsafePointer<Float>, rowStride: Int, addingInto x: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (outputHeight, outputWidth)
    for c in 0..<inputChannels {
      let plane = x + c * height * width
      for kh in 0..<kernelHeight {
        for kw in 0..<kernelWidth {
          let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * rowStride
          for oh in 0..<ho {
            let ih = oh * stride - padding + kh
            if ih < 0 || ih >= height { continue }
            let src = row + oh * wo
            let dst = plane + ih * width
            if stride == 1 {
              let lo = Swift.max(0, padding - kw)
              let hi = Swift.min(wo, width + padding - kw)
              if hi > lo {
                let d = dst + (lo - padding + kw)
                for j in 0..<(hi - lo) { d[j] += src[lo + j] }
              }
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

extension Tensor {
  /// 2-D cross-correlation (deep learning's "convolution") of an NCHW batch
  /// with a filter bank, with zero padding.
  ///
  /// `y[n, o, i, j] = Σ_{c, a, b} w[o, c, a, b] · x[n, c, i·s − p + a, j·s − p + b]`
  ///
  /// The batch is split across ``Parallelism/threadCount`` threads; each
  /// unfolds blocks of its images side by side into one patch matrix
  /// (im2col), multiplies it by the filter matrix with one `cblas_sgemm`
  /// and copies the `[O, b·Ho·Wo]` product into the images' NCHW planes.
  ///
  /// - Parameters:
  ///   - input: `[N, C, H, W]`.
  ///   - filter: `[O, C, KH, KW]`.
  ///   - stride: The step between output positions.
  ///   - padding: Zeros added on every side.
  /// - Returns: `[N, O, (H + 2p − KH)/s + 1, (W + 2p − KW)/s + 1]`.
  /// - Complexity: O(N·O·C·KH·KW·Ho·Wo).
  public static func conv2d(_ input: Tensor, filter: Tensor, stride: Int = 1, padding: Int = 0) -> Tensor {
    let g = Convolution2DGeometry(input: input.shape, filter: filter.shape, stride: stride, padding: padding)
    let (channels, plane) = (g.outputChannels, g.outputPlane)
    return Tensor.overwriting(shape: g.outputShape, { out in
      let y = out.baseAddress!
      input.withUnsafeBufferPointer { px in
        filter.withUnsafeBufferPointer { pw in
          Parallelism.forEachChunk(of: g.batch) { images in
            withBlockBuffers(g, rows: channels) { cols, product in
              g.forEachBlock(of: images) { block in
                let patches = g.patchMatrix(ofImages: block, in: px.baseAddress!, scratch: cols)
                let columns = block.count * plane
                let target = block.count == 1 ? y + block.lowerBound * channels * plane : product
                gemm(
                  transposingA: false, transposingB: false, m: channels, n: columns, k: g.patchSize,
                  a: pw.baseAddress!, lda: g.patchSize, b: patches, ldb: columns,
                  c: target, ldc: columns, accumulating: false)
                if block.count > 1 {
                  unpackBlock(product, images: block, rows: channels, plane: plane, into: y)
                }
              }
            }
          }
        }
      }
    })
  }

  /// The gradient of ``conv2d(_:filter:stride:padding:)`` with respect to its
  /// input, which is also the transposed convolution of `outputGradient`.
  ///
  /// Per block of images: one `sgemm` `Wᵀ·dY` into a patch matrix, folded
  /// back into the images (col2im).
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
    let (channels, plane) = (g.outputChannels, g.outputPlane)
    let imageSize = g.inputChannels * g.height * g.width
    let build = { (out: inout UnsafeMutableBufferPointer<Float>) in
      let o = out.baseAddress!
      outputGradient.withUnsafeBufferPointer { pg in
        filter.withUnsafeBufferPointer { pw in
          Parallelism.forEachChunk(of: g.batch) { images in
            withBlockBuffers(g, rows: channels) { cols, packed in
              g.forEachBlock(of: images) { block in
                let columns = block.count * plane
                let gradient: UnsafePointer<Float>
                if block.count == 1 {
                  gradient = pg.baseAddress! + block.lowerBound * channels * plane
                } else {
                  packBlock(pg.baseAddress!, images: block, rows: channels, plane: plane, into: packed)
                  gradient = UnsafePointer(packed)
                }
                let dx = o + block.lowerBound * imageSize
                gemm(
                  transposingA: true, transposingB: false, m: g.patchSize, n: columns, k: channels,
                  a: pw.baseAddress!, lda: g.patchSize, b: gradient, ldb: columns,
                  c: cols ?? dx, ldc: columns, accumulating: false)
                guard let cols else { return }
                for i in 0..<block.count {
                  g.col2im(cols + i * plane, rowStride: columns, addingInto: dx + i * imageSize)
                }
              }
            }
          }
        }
      }
    }
    // col2im accumulates; a pointwise convolution's sgemm writes every element.
    return g.isPointwise ? Tensor.overwriting(shape: inputShape, build) : Tensor(shape: inputShape, initializingWith: build)
  }

  /// The gradient of ``conv2d(_:filter:stride:padding:)`` with respect to its
  /// filter: `dw[o, c, a, b] = Σ_{n, i, j} g[n, o, i, j] · x[n, c, i·s − p + a, j·s − p + b]`.
  ///
  /// Per block of images: one `sgemm` `dY·colsᵀ` with the block's pixels as
  /// the inner dimension. With several threads (``Parallelism``) each
  /// accumulates the blocks of its share into a private filter gradient, and
  /// the shares are summed.
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
    let (channels, plane) = (g.outputChannels, g.outputPlane)
    let size = filterShape.product
    let shares = Swift.max(1, Swift.min(Parallelism.threadCount, g.batch))
    // One private accumulator per share; share 0 writes into the result.
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: size * (shares - 1))
    partials.initialize(repeating: 0, count: size * (shares - 1))
    defer { partials.deallocate() }
    var result = Tensor(shape: filterShape) { out in
      let o = out.baseAddress!
      input.withUnsafeBufferPointer { px in
        outputGradient.withUnsafeBufferPointer { pg in
          Parallelism.forEachShare(shares, of: g.batch) { share, images in
            let accumulator = share == 0 ? o : partials + (share - 1) * size
            withBlockBuffers(g, rows: channels) { cols, packed in
              g.forEachBlock(of: images) { block in
                let patches = g.patchMatrix(ofImages: block, in: px.baseAddress!, scratch: cols)
                let columns = block.count * plane
                let gradient: UnsafePointer<Float>
                if block.count == 1 {
                  gradient = pg.baseAddress! + block.lowerBound * channels * plane
                } else {
                  packBlock(pg.baseAddress!, images: block, rows: channels, plane: plane, into: packed)
                  gradient = UnsafePointer(packed)
                }
                gemm(
                  transposingA: false, transposingB: true, m: channels, n: g.patchSize, k: columns,
                  a: gradient, lda: columns, b: patches, ldb: columns,
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

  /// Runs `body` with one thread's scratch: a block's patch matrix (`nil`
  /// for pointwise convolutions, which need none) and a `[rows, b·Ho·Wo]`
  /// block of output-side planes.
  private static func withBlockBuffers<R>(
    _ g: Convolution2DGeometry, rows: Int, _ body: (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>) -> R
  ) -> R {
    let images = g.maximumImagesPerBlock
    let patchCount = g.isPointwise ? 0 : g.patchSize * g.outputPlane * images
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: patchCount + rows * g.outputPlane * images)
    defer { buffer.deallocate() }
    return body(g.isPointwise ? nil : buffer, buffer + patchCount)
  }

  /// Copies the `[rows, plane]` matrices of a block of images of an NCHW
  /// batch side by side into one `[rows, b·plane]` matrix.
  private static func packBlock(
    _ batch: UnsafePointer<Float>, images: Range<Int>, rows: Int, plane: Int, into block: UnsafeMutablePointer<Float>
  ) {
    let columns = images.count * plane
    for (i, n) in images.enumerated() {
      let image = batch + n * rows * plane
      for r in 0..<rows {
        (block + r * columns + i * plane).update(from: image + r * plane, count: plane)
      }
    }
  }

  /// The inverse of ``packBlock(_:images:rows:plane:into:)``: copies a
  /// `[rows, b·plane]` matrix out into the images' `[rows, plane]` matrices.
  private static func unpackBlock(
    _ block: UnsafePointer<Float>, images: Range<Int>, rows: Int, plane: Int, into batch: UnsafeMutablePointer<Float>
  ) {
    let columns = images.count * plane
    for (i, n) in images.enumerated() {
      let image = batch + n * rows * plane
      for r in 0..<rows {
        (image + r * plane).update(from: block + r * columns + i * plane, count: plane)
      }
    }
  }
}
