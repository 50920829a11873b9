extension DepthwiseConvolutionGeometry {
  /// ``Tensor/depthwiseConv2d(_:filter:stride:padding:)`` at stride 1: each
  /// plane padded once, every output a sum of the taps' long contiguous
  /// vectors; planes split across threads.
  ///
  /// - Complexity: O(N·C·Ho·Wp·KH·KW).
  func unitStrideForward(_ input: Tensor, filter: Tensor) -> Tensor {
    precondition(s == 1, "unitStrideForward needs stride 1, got \(s)")
    let (wp, paddedCount, flatCount) = (paddedWidth, paddedHeight * paddedWidth + flatSlack, ho * paddedWidth)
    let offsets = tapOffsets
    return Tensor.overwriting(shape: outputShape) { y in
      input.withUnsafeBufferPointer { x in
        filter.withUnsafeBufferPointer { f in
          offsets.withUnsafeBufferPointer { o in
            guard let xb = x.baseAddress, let yb = y.baseAddress, let fb = f.baseAddress else { return }
            Parallelism.forEachShare(planeShares(elements: planeCount * flatCount * taps), of: planeCount) { _, planes in
              let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedCount)
              let flat = UnsafeMutablePointer<Float>.allocate(capacity: flatCount)
              defer { padded.deallocate(); flat.deallocate() }
              padded.initialize(repeating: 0, count: paddedCount)
              for plane in planes {
                pad(xb, plane: plane, into: padded)
                Self.correlate(padded, o, fb + (plane % c) * taps, into: flat, count: flatCount)
                for i in 0..<ho { (yb + (plane * ho + i) * wo).update(from: flat + i * wp, count: wo) }
              }
            }
          }
        }
      }
    }
  }

  /// ``Tensor/depthwiseConv2dInputGradient(_:filter:inputShape:stride:padding:)``
  /// at stride 1: the output gradient, spread over the padded width with
  /// `(KH − 1)·Wp + KW − 1` zeros before it, correlated with the flipped
  /// filter gives the padded input plane's gradient, of which the interior
  /// rows are computed and kept.
  ///
  /// - Complexity: O(N·C·H·Wp·KH·KW).
  func unitStrideInputGradient(_ outputGradient: Tensor, filter: Tensor) -> Tensor {
    precondition(s == 1, "unitStrideInputGradient needs stride 1, got \(s)")
    let wp = paddedWidth
    let lead = (kh - 1) * wp + kw - 1
    let spreadCount = lead + (paddedHeight + kh) * wp + kw
    let flatCount = h * wp
    // Tap (a, b) reads the spread gradient `lead − a·Wp − b` after the
    // padded-plane position it writes; rows start at padded row p.
    let offsets = (0..<kh).flatMap { a in (0..<kw).map { b in (kh - 1 - a) * wp + (kw - 1 - b) } }
    return Tensor.overwriting(shape: inputShape) { dx in
      outputGradient.withUnsafeBufferPointer { dy in
        filter.withUnsafeBufferPointer { f in
          offsets.withUnsafeBufferPointer { o in
            guard let dyb = dy.baseAddress, let dxb = dx.baseAddress, let fb = f.baseAddress else { return }
            Parallelism.forEachShare(planeShares(elements: planeCount * flatCount * taps), of: planeCount) { _, planes in
              let spread = UnsafeMutablePointer<Float>.allocate(capacity: spreadCount)
              let flat = UnsafeMutablePointer<Float>.allocate(capacity: flatCount)
              defer { spread.deallocate(); flat.deallocate() }
              spread.initialize(repeating: 0, count: spreadCount)
              for plane in planes {
                self.spread(dyb, plane: plane, into: spread + lead)
                Self.correlate(spread + p * wp, o, fb + (plane % c) * taps, into: flat, count: flatCount)
                for r in 0..<h { (dxb + (plane * h + r) * w).update(from: flat + r * wp + p, count: w) }
              }
            }
          }
        }
      }
    }
  }

  /// ``Tensor/depthwiseConv2dFilterGradient(_:outputGradient:filterShape:stride:padding:)``
  /// at stride 1: per plane, one long dot product per tap between the
  /// padded input and the output gradient spread over the padded width;
  /// planes split across threads, their sums added per channel in batch
  /// order, so the result does not depend on the thread count.
  ///
  /// - Complexity: O(N·C·Ho·Wp·KH·KW).
  func unitStrideFilterGradient(_ input: Tensor, outputGradient: Tensor) -> Tensor {
    precondition(s == 1, "unitStrideFilterGradient needs stride 1, got \(s)")
    let (paddedCount, flatCount) = (paddedHeight * paddedWidth + flatSlack, ho * paddedWidth)
    let offsets = tapOffsets
    var partials = [Float](repeating: 0, count: planeCount * taps)
    input.withUnsafeBufferPointer { x in
      outputGradient.withUnsafeBufferPointer { dy in
        partials.withUnsafeMutableBufferPointer { sums in
          guard let xb = x.baseAddress, let dyb = dy.baseAddress, let sb = sums.baseAddress else { return }
          Parallelism.forEachShare(planeShares(elements: planeCount * flatCount * taps), of: planeCount) { _, planes in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedCount)
            let flat = UnsafeMutablePointer<Float>.allocate(capacity: flatCount)
            defer { padded.deallocate(); flat.deallocate() }
            padded.initialize(repeating: 0, count: paddedCount)
            for plane in planes {
              pad(xb, plane: plane, into: padded)
              spread(dyb, plane: plane, into: flat)
              for k in 0..<taps { sb[plane * taps + k] = Self.dot(padded + offsets[k], flat, count: flatCount) }
            }
          }
        }
      }
    }
    return Tensor(shape: filterShape) { df in
      for image in 0..<n {
        for channel in 0..<c {
          for k in 0..<taps { df[channel * taps + k] += partials[(image * c + channel) * taps + k] }
        }
      }
    }
  }
}
