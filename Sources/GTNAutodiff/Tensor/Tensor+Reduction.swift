internal import _GTNKernels

extension Tensor {
  /// The sum of the squared elements, `Σ xᵢ²`, accumulated in double
  /// precision (eight partial sums added in a fixed order, so the result is
  /// the same on every instruction-set build of the kernels).
  ///
  /// ```swift
  /// let norm = gradients.reduce(0.0) { $0 + $1.sumOfSquares() }.squareRoot()
  /// ```
  ///
  /// - Complexity: O(n), one pass.
  public func sumOfSquares() -> Double {
    withUnsafeBufferPointer { p in p.baseAddress.map { gtn_sum_of_squares($0, p.count) } ?? 0 }
  }

  /// Normalises possibly negative axes and checks they are in range.
  func normalizedAxes(_ axes: [Int]) -> [Int] {
    axes.map { axis in
      let a = axis < 0 ? axis + rank : axis
      precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(shape)")
      return a
    }
  }

  /// Sums along the given axes, keeping them as dimensions of extent 1.
  ///
  /// ```swift
  /// let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
  /// let rowSums = t.sum(alongAxes: [1])   // shape [2, 1]: [[6], [15]]
  /// ```
  ///
  /// - Complexity: O(n).
  public func sum(alongAxes axes: [Int]) -> Tensor {
    let axes = Set(normalizedAxes(axes))
    let target = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    return summed(toShape: target)
  }

  /// The sum of all elements, as a scalar tensor.
  public func sum() -> Tensor {
    var total: Double = 0
    withUnsafeBufferPointer { p in
      // Pairwise-free but compensated enough: accumulate in Double.
      for x in p { total += Double(x) }
    }
    return Tensor(Float(total))
  }

  /// The mean along the given axes, keeping them as dimensions of extent 1.
  public func mean(alongAxes axes: [Int]) -> Tensor {
    let count = normalizedAxes(axes).reduce(1) { $0 * shape[$1] }
    return sum(alongAxes: axes) * (1 / Float(count))
  }

  /// The mean of all elements, as a scalar tensor.
  public func mean() -> Tensor { Tensor(sum().scalar / Float(Swift.max(scalarCount, 1))) }

  /// Sums the broadcast dimensions away so the result has shape `target`.
  ///
  /// This is the adjoint of ``broadcast(to:)``: `target` must broadcast to
  /// `shape`. Leading dimensions missing from `target` are summed away too.
  ///
  /// - Complexity: O(n) for n elements of `self`.
  public func summed(toShape target: [Int]) -> Tensor {
    if target == shape { return self }
    let loop = StridedLoop(
      shape: shape,
      strides: [
        StridedLoop.broadcastStrides(of: shape, to: shape),
        StridedLoop.broadcastStrides(of: target, to: shape),
      ])
    // Large reductions split the outermost dimension. Where the target keeps
    // that dimension the shares write disjoint outputs (split across the
    // threads); where it sums over it, the number of partial sums depends on
    // the sizes alone — shares after the first sum into private buffers,
    // added in order at the end — so the result is the same on any number
    // of threads.
    let sumsOverOuter = loop.strides[1][0] == 0 && loop.outerCount > 1
    let shares = sumsOverOuter
      ? Parallelism.reductionShareCount(elements: scalarCount, pieces: loop.outerCount)
      : loop.shareCount(elementCount: scalarCount)
    let targetCount = target.product
    let privateCount = sumsOverOuter ? (shares - 1) * targetCount : 0
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: privateCount)
    partials.initialize(repeating: 0, count: privateCount)
    defer { partials.deallocate() }
    var result = Tensor(shape: target) { out in
      withUnsafeBufferPointer { input in
        let x = input.baseAddress!
        let run = sumsOverOuter ? Parallelism.forEachReductionShare : Parallelism.forEachShare
        run(shares, loop.outerCount) { share, slices in
          let o = share == 0 || privateCount == 0 ? out.baseAddress! : partials + (share - 1) * targetCount
          loop.forEachRun(outer: slices) { offsets, count, steps in
            let px = x + offsets[0]
            let po = o + offsets[1]
            let (sx, so) = (steps[0], steps[1])
            if so == 0 && sx == 1 {
              // Eight partial sums, so the compiler can keep them in vector lanes.
              var lanes = SIMD8<Float>()
              var j = 0
              while j + 8 <= count {
                lanes += UnsafeRawPointer(px + j).loadUnaligned(as: SIMD8<Float>.self)
                j += 8
              }
              var s = lanes.sum()
              while j < count { s += px[j]; j += 1 }
              po[0] += s
            } else if so == 0 {
              var s: Float = 0
              for j in 0..<count { s += px[j * sx] }
              po[0] += s
            } else if so == 1 && sx == 1 {
              for j in 0..<count { po[j] += px[j] }
            } else {
              for j in 0..<count { po[j * so] += px[j * sx] }
            }
          }
        }
      }
    }
    if privateCount > 0 {
      result.withUnsafeMutableBufferPointer { r in
        guard let o = r.baseAddress else { return }
        for share in 1..<shares {
          let p = partials + (share - 1) * targetCount
          for j in 0..<targetCount { o[j] += p[j] }
        }
      }
    }
    return result
  }

  /// Repeats the tensor along its extent-1 (and missing leading)
  /// dimensions to `target`, the adjoint of ``summed(toShape:)``.
  ///
  /// - Complexity: O(n) for n elements of `target`, split across threads
  ///   for large targets.
  public func broadcast(to target: [Int]) -> Tensor {
    if target == shape { return self }
    let loop = StridedLoop(
      shape: target,
      strides: [
        StridedLoop.broadcastStrides(of: target, to: target),
        StridedLoop.broadcastStrides(of: shape, to: target),
      ])
    let shares = loop.shareCount(elementCount: target.product)
    return Tensor.overwriting(shape: target, { out in
      withUnsafeBufferPointer { input in
        let x = input.baseAddress!
        let o = out.baseAddress!
        Parallelism.forEachShare(shares, of: loop.outerCount) { _, slices in
          loop.forEachRun(outer: slices) { offsets, count, steps in
            let po = o + offsets[0]
            let px = x + offsets[1]
            switch steps[1] {
            case 0: po.update(repeating: px[0], count: count)
            case 1: po.update(from: px, count: count)
            case let step: for j in 0..<count { po[j] = px[j * step] }
            }
          }
        }
      }
    })
  }

  /// The largest element along the last axis, keeping it with extent 1.
  public func maxAlongLastAxis() -> Tensor {
    let k = shape.last ?? 1
    let rows = scalarCount / Swift.max(k, 1)
    var outShape = shape
    outShape[outShape.count - 1] = 1
    return Tensor(shape: outShape) { out in
      withUnsafeBufferPointer { p in
        for r in 0..<rows {
          var m = -Float.infinity
          for j in 0..<k { m = Swift.max(m, p[r * k + j]) }
          out[r] = m
        }
      }
    }
  }

  /// The index of the largest element along the last axis, per row.
  ///
  /// For a `[N, K]` tensor of class scores this gives the N predicted classes.
  public func argmaxAlongLastAxis() -> [Int] {
    let k = shape.last ?? 1
    let rows = scalarCount / Swift.max(k, 1)
    return withUnsafeBufferPointer { p in
      (0..<rows).map { r in
        var best = 0
        for j in 1..<Swift.max(k, 1) where p[r * k + j] > p[r * k + best] { best = j }
        return best
      }
    }
  }
}
