internal import _GTNCBLAS
internal import _GTNKernels

extension Tensor {
  /// `self · scale + addend`, elementwise, in one pass.
  ///
  /// ```swift
  /// let velocity = previous.scaled(by: 0.9, adding: gradient)  // μ·v + g
  /// ```
  ///
  /// With no `addend` this is `self · scale`. The product is rounded before
  /// the sum (no fused multiply-add), so the result equals `self * scale +
  /// addend` bit for bit.
  ///
  /// - Parameters:
  ///   - scale: The factor for every element.
  ///   - addend: A tensor of the same shape, or `nil`.
  /// - Complexity: O(n), split across ``withParallelism(threads:_:)``'s
  ///   threads for large tensors.
  public func scaled(by scale: Float, adding addend: Tensor? = nil) -> Tensor {
    if let addend {
      precondition(addend.shape == shape, "scaled(by:adding:) needs equal shapes, got \(shape) and \(addend.shape)")
    }
    return Tensor.overwriting(shape: shape) { out in
      withUnsafeBufferPointer { source in
        guard let o = out.baseAddress, let x = source.baseAddress else { return }
        if let addend {
          addend.withUnsafeBufferPointer { a in
            let y = a.baseAddress!
            Parallelism.forEachElementChunk(of: out.count) { r in
              gtn_scaled_add(x + r.lowerBound, scale, y + r.lowerBound, o + r.lowerBound, r.count)
            }
          }
        } else {
          Parallelism.forEachElementChunk(of: out.count) { r in
            gtn_scaled_add(x + r.lowerBound, scale, nil, o + r.lowerBound, r.count)
          }
        }
      }
    }
  }

  /// The dot product `Σᵢ selfᵢ · otherᵢ` over all elements.
  ///
  /// - Precondition: equal shapes.
  /// - Complexity: O(n), through OpenBLAS's `cblas_sdot`; long vectors are
  ///   summed in up to eight partial sums fixed by the length (spread over
  ///   ``withParallelism(threads:_:)``'s threads) and added in order, so the
  ///   result is the same for any thread count.
  public func dot(_ other: Tensor) -> Float {
    precondition(shape == other.shape, "dot(_:) needs equal shapes, got \(shape) and \(other.shape)")
    return withUnsafeBufferPointer { a in
      other.withUnsafeBufferPointer { b in
        guard let x = a.baseAddress, let y = b.baseAddress else { return 0 }
        let count = a.count
        let shares = Parallelism.reductionShareCount(elements: count)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: shares) { partials in
          Parallelism.forEachReductionShare(shares, of: count) { share, range in
            // cblas_sdot takes an Int32 count: long vectors go in pieces.
            var total: Float = 0
            var start = range.lowerBound
            while start < range.upperBound {
              let n = Swift.min(range.upperBound - start, Int(Int32.max))
              total += cblas_sdot(Int32(n), x + start, 1, y + start, 1)
              start += n
            }
            partials[share] = total
          }
          return partials.reduce(0, +)
        }
      }
    }
  }
}
