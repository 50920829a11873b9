internal import _GTNKernels

/// The binary elementwise operations that the broadcasting kernel implements.
@usableFromInline
internal enum BinaryOperation: Int32, Sendable {
  // The raw values are the operation codes of `gtn_binary`.
  case add = 0, subtract = 1, multiply = 2, divide = 3
}

extension Tensor {
  /// Applies a binary operation elementwise with NumPy-style broadcasting.
  ///
  /// - Complexity: O(n) for n output elements; runs in contiguous stretches
  ///   of the innermost non-broadcast dimension.
  @usableFromInline
  internal static func broadcasting(
    _ a: Tensor, _ b: Tensor, _ operation: BinaryOperation
  ) -> Tensor {
    if a.shape == b.shape {
      return Tensor.overwriting(shape: a.shape, { out in
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            // Raw pointers: the loops vectorise (buffer-pointer subscripts
            // in these closures did not).
            guard let o = out.baseAddress, let x = pa.baseAddress, let y = pb.baseAddress else { return }
            Parallelism.forEachElementChunk(of: out.count) { r in
              gtn_binary(operation.rawValue, x + r.lowerBound, 1, y + r.lowerBound, 1, o + r.lowerBound, r.count)
            }
          }
        }
      })
    }
    let shape = broadcastShape(a.shape, b.shape)
    let loop = StridedLoop(
      shape: shape,
      strides: [
        StridedLoop.broadcastStrides(of: shape, to: shape),
        StridedLoop.broadcastStrides(of: a.shape, to: shape),
        StridedLoop.broadcastStrides(of: b.shape, to: shape),
      ])
    return Tensor.overwriting(shape: shape, { out in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          let o = out.baseAddress!
          let x = pa.baseAddress!
          let y = pb.baseAddress!
          loop.forEachRun { offsets, count, steps in
            let po = o + offsets[0]
            let px = x + offsets[1]
            let py = y + offsets[2]
            let sx = steps[1]
            let sy = steps[2]
            // The common inner shapes — both contiguous, or one operand a
            // scalar along the run (bias rows, per-channel factors) — get
            // loops the compiler vectorises; anything else walks strides.
            if (sx == 0 || sx == 1) && (sy == 0 || sy == 1) {
              gtn_binary(operation.rawValue, px, sx, py, sy, po, count)
            } else {
              binary(operation, count, po) { px[$0 * sx] } _: { py[$0 * sy] }
            }
          }
        }
      }
    })
  }

  /// `out[j] = lhs(j) ∘ rhs(j)` for `j < count`, specialised per operation.
  @inline(__always)
  private static func binary(
    _ operation: BinaryOperation, _ count: Int, _ out: UnsafeMutablePointer<Float>,
    _ lhs: (Int) -> Float, _ rhs: (Int) -> Float
  ) {
    switch operation {
    case .add: for j in 0..<count { out[j] = lhs(j) + rhs(j) }
    case .subtract: for j in 0..<count { out[j] = lhs(j) - rhs(j) }
    case .multiply: for j in 0..<count { out[j] = lhs(j) * rhs(j) }
    case .divide: for j in 0..<count { out[j] = lhs(j) / rhs(j) }
    }
  }

  /// Applies `transform` to every element.
  ///
  /// - Complexity: O(n).
  @inlinable
  public func map(_ transform: (Float) -> Float) -> Tensor {
    Tensor.overwriting(shape: shape, { out in
      withUnsafeBufferPointer { input in
        guard let source = input.baseAddress, let target = out.baseAddress else { return }
        for i in 0..<input.count { target[i] = transform(source[i]) }
      }
    })
  }

  /// Combines two tensors of equal shape elementwise.
  ///
  /// - Precondition: `self.shape == other.shape`.
  /// - Complexity: O(n).
  @inlinable
  public func zipMap(_ other: Tensor, _ transform: (Float, Float) -> Float) -> Tensor {
    precondition(shape == other.shape, "zipMap needs equal shapes, got \(shape) and \(other.shape)")
    return Tensor.overwriting(shape: shape, { out in
      withUnsafeBufferPointer { a in
        other.withUnsafeBufferPointer { b in
          guard let x = a.baseAddress, let y = b.baseAddress, let o = out.baseAddress else { return }
          for i in 0..<a.count { o[i] = transform(x[i], y[i]) }
        }
      }
    })
  }

  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, .add) }
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, .subtract) }
  public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, .multiply) }
  public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, .divide) }
  public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 + rhs } }
  public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 - rhs } }
  public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.scaled(by: rhs) }
  public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.scaled(by: lhs) }
  public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 / rhs } }
  public static prefix func - (x: Tensor) -> Tensor { x.map { -$0 } }

  /// Adds `other` scaled by `alpha` into `self` in place (BLAS `axpy` style).
  ///
  /// - Precondition: equal shapes.
  public mutating func add(_ other: Tensor, scaledBy alpha: Float = 1) {
    precondition(shape == other.shape, "add(_:scaledBy:) needs equal shapes, got \(shape) and \(other.shape)")
    other.withUnsafeBufferPointer { b in
      withUnsafeMutableBufferPointer { a in
        guard let x = a.baseAddress, let y = b.baseAddress else { return }
        Parallelism.forEachElementChunk(of: a.count) { r in
          gtn_accumulate(x + r.lowerBound, y + r.lowerBound, r.count, alpha)
        }
      }
    }
  }
}

// MARK: - Activations and elementary functions

extension Tensor {
  /// `max(x, 0)` elementwise.
  public func relu() -> Tensor { parallelMap { $0 > 0 ? $0 : 0 } }
  /// `x` where positive, `slope·x` elsewhere.
  public func leakyRelu(slope: Float) -> Tensor { kernelMap { gtn_leaky_relu($0, $1, $2, slope) } }
  /// `self` where `x > 0`, `negativeSlope · self` elsewhere (the backward
  /// pass of ``relu()`` and ``leakyRelu(slope:)`` in one pass).
  func scaledBySign(of x: Tensor, negativeSlope: Float) -> Tensor {
    precondition(x.shape == shape, "scaledBySign(of:) needs equal shapes, got \(shape) and \(x.shape)")
    return kernelZip(x) { gtn_scaled_by_sign($0, $1, $2, $3, negativeSlope) }
  }
  /// `self · (1 − y²)` elementwise in one pass: the backward pass of
  /// ``tanh()`` for the upstream gradient `self` and `y = tanh(x)`.
  func scaledByTanhDerivative(of y: Tensor) -> Tensor {
    precondition(y.shape == shape, "scaledByTanhDerivative(of:) needs equal shapes, got \(shape) and \(y.shape)")
    return kernelZip(y) { gtn_tanh_backward($0, $1, $2, $3) }
  }
  /// Runs a C kernel `kernel(self, other, output, count)` from
  /// `_GTNKernels` over two tensors of equal shape into a new tensor, split
  /// across ``Parallelism/threadCount`` threads for large tensors.
  @inline(__always)
  func kernelZip(
    _ other: Tensor, _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  ) -> Tensor {
    Tensor.overwriting(shape: shape) { out in
      withUnsafeBufferPointer { a in
        other.withUnsafeBufferPointer { b in
          guard let o = out.baseAddress, let pa = a.baseAddress, let pb = b.baseAddress else { return }
          Parallelism.forEachElementChunk(of: out.count) { r in
            kernel(pa + r.lowerBound, pb + r.lowerBound, o + r.lowerBound, r.count)
          }
        }
      }
    }
  }
  /// Hyperbolic tangent elementwise (see `_tanhf`: within 0.51 ulp).
  public func tanh() -> Tensor { kernelMap { gtn_tanh($0, $1, $2) } }

  /// Runs a C kernel `kernel(input, output, count)` from `_GTNKernels` over
  /// the elements into a new tensor, split across
  /// ``Parallelism/threadCount`` threads for large tensors.
  @inline(__always)
  func kernelMap(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
    Tensor.overwriting(shape: shape, { out in
      withUnsafeBufferPointer { input in
        guard let source = input.baseAddress, let target = out.baseAddress else { return }
        Parallelism.forEachElementChunk(of: input.count) { r in
          kernel(source + r.lowerBound, target + r.lowerBound, r.count)
        }
      }
    })
  }

  /// ``map(_:)`` for the package's own activations: vectorised loops, split
  /// across ``Parallelism/threadCount`` threads for large tensors.
  @inline(__always)
  func parallelMap(_ transform: (Float) -> Float) -> Tensor {
    Tensor.overwriting(shape: shape, { out in
      withUnsafeBufferPointer { input in
        guard let source = input.baseAddress, let target = out.baseAddress else { return }
        withoutActuallyEscaping(transform) { transform in
          Parallelism.forEachElementChunk(of: input.count) { r in
            for i in r { target[i] = transform(source[i]) }
          }
        }
      }
    })
  }
  /// The logistic function `1 / (1 + e^(−x))` elementwise.
  public func sigmoid() -> Tensor {
    map { x in x >= 0 ? 1 / (1 + _expf(-x)) : { let e = _expf(x); return e / (1 + e) }() }
  }
  /// `e^x` elementwise.
  public func exp() -> Tensor { map { _expf($0) } }
  /// Natural logarithm elementwise.
  public func log() -> Tensor { map { _logf($0) } }
  /// Square root elementwise.
  public func squareRoot() -> Tensor { map { $0.squareRoot() } }
  /// `log(1 + e^x)` elementwise, computed without overflow.
  public func softplus() -> Tensor {
    map { x in x > 0 ? x + _log1pf(_expf(-x)) : _log1pf(_expf(x)) }
  }
  /// `x²` elementwise.
  public func squared() -> Tensor { map { $0 * $0 } }
}
