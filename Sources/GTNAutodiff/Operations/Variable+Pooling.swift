extension Variable {
  /// Max pooling over `k×k` windows of an NCHW variable.
  ///
  /// Realised as a gather of each window's argmax, so the gradient routes to
  /// the maximum and the second derivative is exact (piecewise linear).
  ///
  /// - Complexity: O(N·C·Ho·Wo·k²).
  public func maxPool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Variable {
    let s = stride ?? kernelSize
    let (pooled, indices) = value.maxPool2d(kernelSize: kernelSize, stride: s, padding: padding)
    if kernelSize == 2 && s == 2 && padding == 0 {
      // Disjoint windows: the adjoint writes every input element once.
      let inputShape = shape
      return Variable.recording(pooled, inputs: [self], saving: .none) { c in
        [c.upstream.maxPool2x2Adjoint(indices: indices, inputShape: inputShape)]
      }
    }
    return gathering(flatIndices: indices, precomputed: pooled)
  }

  /// The adjoint of 2×2, stride-2 max pooling: the upstream gradient at each
  /// window's maximum, zero elsewhere; its own adjoint is the gather of the
  /// maxima.
  func maxPool2x2Adjoint(indices: [Int32], inputShape: [Int]) -> Variable {
    let shape = self.shape
    return Variable.recording(value.maxPool2x2Adjoint(indices: indices, inputShape: inputShape), inputs: [self], saving: .none) { c in
      [c.upstream.gathering(flatIndices: indices, shape: shape)]
    }
  }

  /// Average pooling over `k×k` windows of an NCHW variable, zero padding
  /// counted in the divisor.
  public func averagePool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Variable {
    let s = stride ?? kernelSize
    let shape = self.shape
    return Variable.recording(value.averagePool2d(kernelSize: kernelSize, stride: s, padding: padding), inputs: [self], saving: .none) { c in
      [c.upstream.averagePool2dAdjoint(inputShape: shape, kernelSize: kernelSize, stride: s, padding: padding)]
    }
  }

  /// The adjoint of ``averagePool2d(kernelSize:stride:padding:)``.
  public func averagePool2dAdjoint(inputShape: [Int], kernelSize: Int, stride: Int, padding: Int = 0) -> Variable {
    Variable.recording(
      value.averagePool2dAdjoint(inputShape: inputShape, kernelSize: kernelSize, stride: stride, padding: padding),
      inputs: [self], saving: .none
    ) { c in
      [c.upstream.averagePool2d(kernelSize: kernelSize, stride: stride, padding: padding)]
    }
  }

  /// The mean over the spatial dimensions of an NCHW variable: `[N, C]`.
  public func globalAveragePooled() -> Variable {
    precondition(rank == 4, "globalAveragePooled needs NCHW, got shape \(shape)")
    return mean(alongAxes: [2, 3]).reshaped(to: [shape[0], shape[1]])
  }

  /// Nearest-neighbour upsampling of an NCHW variable by an integer factor.
  public func upsampledNearest(by factor: Int) -> Variable {
    Variable.recordingRecomputable(of: self, computing: { $0.upsampledNearest(by: factor) }) { c in
      [c.upstream.summingBlocks(of: factor)]
    }
  }

  /// Each `f×f` block summed (the adjoint of ``upsampledNearest(by:)``,
  /// whose own adjoint is that upsampling).
  public func summingBlocks(of factor: Int) -> Variable {
    Variable.recording(value.summingBlocks(of: factor), inputs: [self], saving: .none) { c in
      [c.upstream.upsampledNearest(by: factor)]
    }
  }

  /// Pads the two spatial dimensions of an NCHW variable by mirroring
  /// (``Tensor/reflectionPadded(by:)``).
  public func reflectionPadded(by padding: Int) -> Variable {
    if padding == 0 { return self }
    return Variable.recordingRecomputable(of: self, computing: { $0.reflectionPadded(by: padding) }) { c in
      [c.upstream.reflectionPaddingAdjoint(by: padding)]
    }
  }

  /// The adjoint of ``reflectionPadded(by:)`` (``Tensor/reflectionPaddingAdjoint(by:)``),
  /// whose own adjoint is that padding.
  public func reflectionPaddingAdjoint(by padding: Int) -> Variable {
    if padding == 0 { return self }
    return Variable.recording(value.reflectionPaddingAdjoint(by: padding), inputs: [self], saving: .none) { c in
      [c.upstream.reflectionPadded(by: padding)]
    }
  }
}
