extension Variable {
  /// The same elements with another shape; one dimension may be `-1`.
  public func reshaped(to newShape: [Int]) -> Variable {
    let shape = self.shape
    let result = value.reshaped(to: newShape)
    if result.shape == shape { return self }
    return Variable.recording(result, inputs: [self], saving: .none) { c in [c.upstream.reshaped(to: shape)] }
  }

  /// Flattens every dimension after the first: `[N, …] → [N, ∏…]`.
  public func flattenedBatch() -> Variable { reshaped(to: [shape[0], -1]) }

  /// Reorders dimensions: result dimension `i` is dimension `axes[i]`.
  public func permuted(_ axes: [Int]) -> Variable {
    let inverse = (0..<axes.count).map { a in axes.firstIndex(of: a) ?? a }
    return Variable.recording(value.permuted(axes), inputs: [self], saving: .none) { c in [c.upstream.permuted(inverse)] }
  }

  /// Swaps the last two dimensions.
  public func transposed() -> Variable {
    precondition(rank >= 2, "transposed() needs rank ≥ 2, shape is \(shape)")
    var axes = Array(0..<rank)
    axes.swapAt(rank - 1, rank - 2)
    return permuted(axes)
  }

  /// Joins variables along an axis.
  public static func concatenating(_ parts: [Variable], alongAxis axis: Int) -> Variable {
    let extents = parts.map { $0.shape[axis < 0 ? axis + $0.rank : axis] }
    let result = Tensor.concatenating(parts.map(\.value), alongAxis: axis)
    return recording(result, inputs: parts, saving: .none) { c in
      var offset = 0
      return extents.enumerated().map { i, extent in
        defer { offset += extent }
        return c.needsGradient(i) ? c.upstream.slice(alongAxis: axis, offset..<(offset + extent)) : nil
      }
    }
  }

  /// The part whose index along `axis` lies in `range`.
  public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Variable {
    let extent = shape[axis < 0 ? axis + rank : axis]
    if range == 0..<extent { return self }
    return Variable.recordingSlice(
      value.slice(alongAxis: axis, range), of: self, axis: axis < 0 ? axis + rank : axis, offset: range.lowerBound
    ) { c in
      [c.upstream.embedded(alongAxis: axis, at: range.lowerBound, extent: extent)]
    }
  }

  /// Places this variable into zeros of a larger extent along `axis` (the
  /// adjoint of ``slice(alongAxis:_:)``).
  public func embedded(alongAxis axis: Int, at offset: Int, extent: Int) -> Variable {
    let width = shape[axis < 0 ? axis + rank : axis]
    return Variable.recording(value.embedded(alongAxis: axis, at: offset, extent: extent), inputs: [self], saving: .none) { c in
      [c.upstream.slice(alongAxis: axis, offset..<(offset + width))]
    }
  }

  /// Picks elements by flat index: `result[i] = self[indices[i]]`.
  public func gathering(flatIndices indices: [Int32], shape newShape: [Int]) -> Variable {
    let shape = self.shape
    return Variable.recording(value.gathering(flatIndices: indices, shape: newShape), inputs: [self], saving: .none) { c in
      [c.upstream.scatteringAdd(flatIndices: indices, shape: shape)]
    }
  }

  /// ``gathering(flatIndices:shape:)`` whose value `gathered` the caller
  /// has already computed (a kernel that finds the indices and the values in
  /// one pass); the gradient is the same scatter.
  func gathering(flatIndices indices: [Int32], precomputed gathered: Tensor) -> Variable {
    precondition(indices.count == gathered.scalarCount, "gather of \(indices.count) indices into shape \(gathered.shape)")
    let shape = self.shape
    return Variable.recording(gathered, inputs: [self], saving: .none) { c in
      [c.upstream.scatteringAdd(flatIndices: indices, shape: shape)]
    }
  }

  /// Adds elements into zeros of shape `targetShape` at flat indices (the
  /// adjoint of ``gathering(flatIndices:shape:)``).
  public func scatteringAdd(flatIndices indices: [Int32], shape targetShape: [Int]) -> Variable {
    let shape = self.shape
    return Variable.recording(value.scatteringAdd(flatIndices: indices, shape: targetShape), inputs: [self], saving: .none) { c in
      [c.upstream.gathering(flatIndices: indices, shape: shape)]
    }
  }

  /// The rows (entries along axis 0) at `indices`, in that order.
  ///
  /// ```swift
  /// let batch = images.gatheringRows([3, 1, 4])   // shape [3, C, H, W]
  /// ```
  public func gatheringRows(_ indices: [Int]) -> Variable {
    let rowSize = value.scalarCount / Swift.max(shape[0], 1)
    var flat = [Int32]()
    flat.reserveCapacity(indices.count * rowSize)
    for r in indices {
      precondition(r >= 0 && r < shape[0], "row \(r) out of range for shape \(shape)")
      for j in 0..<rowSize { flat.append(Int32(r * rowSize + j)) }
    }
    var newShape = shape
    newShape[0] = indices.count
    return gathering(flatIndices: flat, shape: newShape)
  }
}
