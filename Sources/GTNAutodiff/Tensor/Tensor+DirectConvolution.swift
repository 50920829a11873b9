// Direct stride-1 convolution kernels for filter banks with one or two
// output channels (a generator's image-producing layer). There the patch
// matrix of im2col holds C·KH·KW values per output value and the product is
// a matrix–vector one: unfolding and folding back cost more memory traffic
// than the arithmetic. These kernels instead add shifted input rows, scaled
// by one filter tap, into the output rows — every plane stays in L1.

extension Convolution2DGeometry {
  /// Whether the direct kernels serve this geometry instead of im2col and
  /// sgemm: stride 1, at most two output channels, not pointwise.
  var prefersDirectKernels: Bool { stride == 1 && outputChannels <= 2 && !isPointwise }

  /// For tap column `kw`: the output columns `lo..<hi` whose input column
  /// `ow − padding + kw` lies inside the image.
  @inline(__always)
  private func columns(forTap kw: Int) -> (lo: Int, hi: Int) {
    let lo = Swift.min(outputWidth, Swift.max(0, padding - kw))
    return (lo, Swift.max(lo, Swift.min(outputWidth, width + padding - kw)))
  }

  /// Adds the convolution of one image `x` (`[C, H, W]`) with `filter` into
  /// `y` (`[O, Ho, Wo]`, holding zeros or the bias).
  func addDirectConvolution(of x: UnsafePointer<Float>, filter w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (outputHeight, outputWidth)
    for o in 0..<outputChannels {
      for c in 0..<inputChannels {
        for kh in 0..<kernelHeight {
          for kw in 0..<kernelWidth {
            let tap = w[((o * inputChannels + c) * kernelHeight + kh) * kernelWidth + kw]
            let (lo, hi) = columns(forTap: kw)
            if hi == lo { continue }
            for oh in 0..<ho {
              let ih = oh - padding + kh
              if ih < 0 || ih >= height { continue }
              let dst = y + (o * ho + oh) * wo
              let src = x + (c * height + ih) * width + (kw - padding)
              for j in lo..<hi { dst[j] += tap * src[j] }
            }
          }
        }
      }
    }
  }

  /// Adds the input gradient of one image into `dx` (`[C, H, W]`), given
  /// its output gradient `g` (`[O, Ho, Wo]`): the transposed convolution.
  func addDirectInputGradient(of g: UnsafePointer<Float>, filter w: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (outputHeight, outputWidth)
    for o in 0..<outputChannels {
      for c in 0..<inputChannels {
        for kh in 0..<kernelHeight {
          for kw in 0..<kernelWidth {
            let tap = w[((o * inputChannels + c) * kernelHeight + kh) * kernelWidth + kw]
            let (lo, hi) = columns(forTap: kw)
            if hi == lo { continue }
            for oh in 0..<ho {
              let ih = oh - padding + kh
              if ih < 0 || ih >= height { continue }
              let src = g + (o * ho + oh) * wo
              let dst = dx + (c * height + ih) * width + (kw - padding)
              for j in lo..<hi { dst[j] += tap * src[j] }
            }
          }
        }
      }
    }
  }

  /// Adds one image's filter gradient into `dw` (`[O, C, KH, KW]`): every
  /// tap is the dot product of the output gradient with the shifted input.
  func addDirectFilterGradient(input x: UnsafePointer<Float>, outputGradient g: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (outputHeight, outputWidth)
    for o in 0..<outputChannels {
      for c in 0..<inputChannels {
        for kh in 0..<kernelHeight {
          for kw in 0..<kernelWidth {
            let (lo, hi) = columns(forTap: kw)
            if hi == lo { continue }
            // Four partial sums in a SIMD register: a scalar float sum
            // would not vectorise (its additions may not be reordered).
            var partial = SIMD4<Float>()
            var tail: Float = 0
            for oh in 0..<ho {
              let ih = oh - padding + kh
              if ih < 0 || ih >= height { continue }
              let a = g + (o * ho + oh) * wo
              let b = x + (c * height + ih) * width + (kw - padding)
              var j = lo
              while j &+ 4 <= hi {
                partial += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Float>.self)
                  * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Float>.self)
                j &+= 4
              }
              while j < hi {
                tail += a[j] * b[j]
                j &+= 1
              }
            }
            dw[((o * inputChannels + c) * kernelHeight + kh) * kernelWidth + kw] += partial.sum() + tail
          }
        }
      }
    }
  }
}
