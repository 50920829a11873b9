internal import _GTNKernels

extension Tensor {
  /// The same elements viewed with another shape (no copy).
  ///
  /// One dimension may be `-1`, inferred from the element count.
  ///
  /// - Precondition: the element counts agree.
  public func reshaped(to newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let hole = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != hole }.map(\.element).product
      precondition(known > 0 && scalarCount % known == 0, "cannot reshape \(shape) to \(newShape)")
      resolved[hole] = scalarCount / known
    }
    precondition(resolved.product == scalarCount, "cannot reshape \(shape) to \(newShape)")
    return Tensor(shape: resolved, storage: storage)
  }

  /// The tensor with its dimensions reordered: result dimension `i` is
  /// dimension `axes[i]` of `self`.
  ///
  /// - Complexity: O(n).
  public func permuted(_ axes: [Int]) -> Tensor {
    precondition(axes.sorted() == Array(0..<rank), "permuted(\(axes)) is no permutation of \(rank) axes")
    if axes == Array(0..<rank) { return self }
    let newShape = axes.map { shape[$0] }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let loop = StridedLoop(
      shape: newShape,
      strides: [
        StridedLoop.broadcastStrides(of: newShape, to: newShape),
        axes.map { inStrides[$0] },
      ])
    return Tensor.overwriting(shape: newShape, { out in
      withUnsafeBufferPointer { input in
        let x = input.baseAddress!
        let o = out.baseAddress!
        loop.forEachRun { offsets, count, steps in
          let po = o + offsets[0]
          let px = x + offsets[1]
          let s = steps[1]
          for j in 0..<count { po[j] = px[j * s] }
        }
      }
    })
  }

  /// The matrix transpose of a rank-2 tensor (last two axes for higher ranks).
  public func transposed() -> Tensor {
    precondition(rank >= 2, "transposed() needs rank ≥ 2, shape is \(shape)")
    var axes = Array(0..<rank)
    axes.swapAt(rank - 1, rank - 2)
    return permuted(axes)
  }

  /// Joins tensors along an axis.
  ///
  /// - Precondition: all shapes agree except along `axis`.
  public static func concatenating(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concatenating needs at least one tensor")
    let first = tensors[0]
    let axis = first.normalizedAxes([axis])[0]
    var shape = first.shape
    shape[axis] = 0
    for t in tensors {
      precondition(
        t.rank == first.rank
          && zip(t.shape, first.shape).enumerated().allSatisfy { $0.offset == axis || $0.element.0 == $0.element.1 },
        "cannot concatenate shape \(t.shape) with \(first.shape) along axis \(axis)")
      shape[axis] += t.shape[axis]
    }
    let outer = shape[..<axis].product
    let inner = shape[(axis + 1)...].product
    return Tensor(shape: shape) { out in
      var column = 0
      let rowLength = shape[axis] * inner
      for t in tensors {
        let width = t.shape[axis] * inner
        t.withUnsafeBufferPointer { p in
          for r in 0..<outer {
            for j in 0..<width { out[r * rowLength + column + j] = p[r * width + j] }
          }
        }
        column += width
      }
    }
  }

  /// The elements whose index along `axis` lies in `range`.
  ///
  /// - Complexity: O(size of the result).
  public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
    let axis = normalizedAxes([axis])[0]
    precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) out of range for axis \(axis) of shape \(shape)")
    var newShape = shape
    newShape[axis] = range.count
    let outer = shape[..<axis].product
    let inner = shape[(axis + 1)...].product
    let width = range.count * inner
    let rowLength = shape[axis] * inner
    return Tensor.overwriting(shape: newShape, { out in
      withUnsafeBufferPointer { p in
        guard let o = out.baseAddress, let x = p.baseAddress else { return }
        if outer == 1 {
          // One contiguous block (a slice along the first axis): split the copy.
          let source = x + range.lowerBound * inner
          Parallelism.forEachElementChunk(of: width) { r in
            (o + r.lowerBound).update(from: source + r.lowerBound, count: r.count)
          }
          return
        }
        for r in 0..<outer {
          (o + r * width).update(from: x + r * rowLength + range.lowerBound * inner, count: width)
        }
      }
    })
  }

  /// Adds `part` into the slice of `self` that starts at `offset` along
  /// `axis`, in place: the adjoint of ``slice(alongAxis:_:)`` without a
  /// buffer of `self`'s size.
  ///
  /// - Precondition: `part` has `self`'s shape except along `axis`, where it
  ///   fits from `offset` on.
  /// - Complexity: O(size of `part`).
  public mutating func add(_ part: Tensor, alongAxis axis: Int, at offset: Int) {
    let axis = normalizedAxes([axis])[0]
    let fits = part.rank == rank && (0..<rank).allSatisfy { $0 == axis || part.shape[$0] == shape[$0] }
      && offset >= 0 && offset + part.shape[axis] <= shape[axis]
    precondition(fits, "add(_:alongAxis:at:) cannot place \(part.shape) at \(offset) along axis \(axis) of \(shape)")
    let outer = shape[..<axis].product
    let inner = shape[(axis + 1)...].product
    let width = part.shape[axis] * inner
    let rowLength = shape[axis] * inner
    part.withUnsafeBufferPointer { p in
      withUnsafeMutableBufferPointer { q in
        guard let x = p.baseAddress, let y = q.baseAddress else { return }
        for r in 0..<outer {
          gtn_accumulate(y + r * rowLength + offset * inner, x + r * width, width, 1)
        }
      }
    }
  }

  /// Places this tensor into zeros of a larger extent along `axis`, starting
  /// at `offset`: the adjoint of ``slice(alongAxis:_:)``.
  public func embedded(alongAxis axis: Int, at offset: Int, extent: Int) -> Tensor {
    let axis = normalizedAxes([axis])[0]
    precondition(offset >= 0 && offset + shape[axis] <= extent, "cannot embed extent \(shape[axis]) at \(offset) in \(extent)")
    var newShape = shape
    newShape[axis] = extent
    let outer = shape[..<axis].product
    let inner = shape[(axis + 1)...].product
    let width = shape[axis] * inner
    let rowLength = extent * inner
    return Tensor(shape: newShape) { out in
      withUnsafeBufferPointer { p in
        for r in 0..<outer {
          let dst = r * rowLength + offset * inner
          for j in 0..<width { out[dst + j] = p[r * width + j] }
        }
      }
    }
  }

  /// Picks elements by flat (row-major) index: `result[i] = self[indices[i]]`.
  ///
  /// Max pooling, nearest-neighbour upsampling, reflection padding and label
  /// lookup are all gathers with a computed index map.
  ///
  /// - Complexity: O(indices.count).
  public func gathering(flatIndices indices: [Int32], shape newShape: [Int]) -> Tensor {
    precondition(indices.count == newShape.product, "gather of \(indices.count) indices into shape \(newShape)")
    let n = scalarCount
    return Tensor.overwriting(shape: newShape, { out in
      withUnsafeBufferPointer { p in
        indices.withUnsafeBufferPointer { idx in
          guard let source = p.baseAddress, let target = out.baseAddress, let index = idx.baseAddress else { return }
          Parallelism.forEachElementChunk(of: idx.count) { r in
            for i in r {
              let k = Int(index[i])
              precondition(k >= 0 && k < n, "gather index \(k) out of range 0..<\(n)")
              target[i] = source[k]
            }
          }
        }
      }
    })
  }

  /// Adds each element into a zero tensor of shape `targetShape` at its flat
  /// index: the adjoint of ``gathering(flatIndices:shape:)``.
  public func scatteringAdd(flatIndices indices: [Int32], shape targetShape: [Int]) -> Tensor {
    precondition(indices.count == scalarCount, "scatter of \(scalarCount) elements with \(indices.count) indices")
    let n = targetShape.product
    return Tensor(shape: targetShape) { out in
      withUnsafeBufferPointer { p in
        indices.withUnsafeBufferPointer { idx in
          for i in 0..<idx.count {
            let k = Int(idx[i])
            precondition(k >= 0 && k < n, "scatter index \(k) out of range 0..<\(n)")
            out[k] += p[i]
          }
        }
      }
    }
  }
}
