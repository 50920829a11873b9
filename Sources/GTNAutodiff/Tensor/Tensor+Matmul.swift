internal import _GTNCBLAS
internal import _GTNConvolution

extension Tensor {
  /// The matrix product `op(a) · op(b)` of two rank-2 tensors, where `op`
  /// transposes its argument when asked.
  ///
  /// Runs on OpenBLAS's `cblas_sgemm`; no transposed copy is ever made.
  ///
  /// ```swift
  /// let y = Tensor.matmul(x, w, transposingB: true)   // x · wᵀ
  /// ```
  ///
  /// - Parameters:
  ///   - a: An `[m, k]` matrix (`[k, m]` when `transposingA`).
  ///   - b: A `[k, n]` matrix (`[n, k]` when `transposingB`).
  ///   - transposingA: Whether to use `aᵀ` in place of `a`.
  ///   - transposingB: Whether to use `bᵀ` in place of `b`.
  /// - Returns: An `[m, n]` matrix.
  /// - Complexity: O(m·n·k).
  public static func matmul(
    _ a: Tensor, _ b: Tensor, transposingA: Bool = false, transposingB: Bool = false
  ) -> Tensor {
    product(a, b, transposingA: transposingA, transposingB: transposingB, addingToEveryRow: nil)
  }

  /// The affine map `input · weightᵀ + bias` of a batch of row vectors (a
  /// fully connected layer), with the bias written into the result before
  /// the matrix product accumulates onto it — no separate broadcasting pass.
  ///
  /// ```swift
  /// let y = Tensor.linear(x, weight: w, bias: b)   // [n, in] → [n, out]
  /// ```
  ///
  /// - Parameters:
  ///   - input: `[n, in]`.
  ///   - weight: `[out, in]`.
  ///   - bias: `[out]`.
  /// - Returns: `[n, out]`.
  /// - Complexity: O(n·in·out), on `cblas_sgemm`.
  public static func linear(_ input: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
    precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) does not match weight \(weight.shape)")
    return product(input, weight, transposingA: false, transposingB: true, addingToEveryRow: bias)
  }

  /// `op(a) · op(b)`, plus `rowAddend` in every row when given.
  private static func product(
    _ a: Tensor, _ b: Tensor, transposingA: Bool, transposingB: Bool, addingToEveryRow rowAddend: Tensor?
  ) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
    let m = transposingA ? a.shape[1] : a.shape[0]
    let k = transposingA ? a.shape[0] : a.shape[1]
    let kb = transposingB ? b.shape[1] : b.shape[0]
    let n = transposingB ? b.shape[0] : b.shape[1]
    precondition(
      k == kb,
      "matmul shapes \(a.shape)\(transposingA ? "ᵀ" : "") and \(b.shape)\(transposingB ? "ᵀ" : "") do not agree")
    // The whole product decides its precision, so that its blocks do too.
    let bfloat16 = Precision.runsBFloat16Products(m: m, n: n, k: k)
    // Large products split their result into blocks along its longer side,
    // one single-threaded product per block, which ``Parallelism``'s threads
    // claim — unless BLAS has threads of its own, which then share the work
    // instead (oneDNN's bfloat16 products always run on one thread per call).
    // A block sums each element in the order the whole product does only
    // with some kernels: OpenBLAS's SkylakeX kernel does, its Haswell and
    // generic kernels do not (``BLASRuntime/blocksSumAsTheWholeProduct``).
    // With the others, a float32 product's blocks are fixed by its shape — two,
    // on one thread too — so its result is the same on any number of
    // threads. bfloat16 products split only by rows, in blocks of at least
    // 16: oneDNN multiplies on AMX tiles only into a dense result, which a
    // block of columns is not (W4's 256×6272 products fell back from AMX
    // tiles to oneDNN's `gemm:jit`), and its blocks of rows sum every element
    // as the whole product does, where its blocks of columns do not.
    let large = m * n * k >= Parallelism.minimumMultiplyAddsToSplit
    let shares: Int
    if bfloat16 {
      shares = large && Parallelism.threadCount > 1 ? Swift.max(1, Swift.min(Parallelism.threadCount, m / 16)) : 1
    } else if large && BLASRuntime.threadCount == 1 {
      let blocks = BLASRuntime.blocksSumAsTheWholeProduct ? Parallelism.threadCount : Parallelism.fixedProductBlocks
      shares = Swift.max(1, Swift.min(blocks, Swift.max(m, n) / 32))
    } else {
      shares = 1
    }
    let accumulating = rowAddend != nil
    return Tensor.overwriting(shape: [m, n], { out in
      if let rowAddend, m > 0, n > 0 {
        rowAddend.withUnsafeBufferPointer { r in
          let (o, b) = (out.baseAddress!, r.baseAddress!)
          let shares = Parallelism.shareCount(elements: m * n, pieces: m)
          Parallelism.forEachShare(shares, of: m) { _, rows in
            for row in rows { (o + row * n).update(from: b, count: n) }
          }
        }
      }
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          let (lda, ldb) = (a.shape[1], b.shape[1])
          guard let x = pa.baseAddress, let y = pb.baseAddress, let c = out.baseAddress else { return }
          let splitsRows = m >= n || bfloat16
          if shares > 1 && splitsRows {
            Parallelism.forEachShare(shares, of: m) { _, rows in
              gemm(
                transposingA: transposingA, transposingB: transposingB, m: rows.count, n: n, k: k,
                a: x + (transposingA ? rows.lowerBound : rows.lowerBound * lda), lda: lda, b: y, ldb: ldb,
                c: c + rows.lowerBound * n, ldc: n, accumulating: accumulating, bfloat16: bfloat16)
            }
          } else if shares > 1 {
            Parallelism.forEachShare(shares, of: n) { _, columns in
              gemm(
                transposingA: transposingA, transposingB: transposingB, m: m, n: columns.count, k: k,
                a: x, lda: lda, b: y + (transposingB ? columns.lowerBound * ldb : columns.lowerBound), ldb: ldb,
                c: c + columns.lowerBound, ldc: n, accumulating: accumulating, bfloat16: bfloat16)
            }
          } else {
            gemm(
              transposingA: transposingA, transposingB: transposingB, m: m, n: n, k: k,
              a: x, lda: lda, b: y, ldb: ldb, c: c, ldc: n, accumulating: accumulating, bfloat16: bfloat16)
          }
        }
      }
    })
  }
}

/// `C = op(A)·op(B) (+ C)` on row-major buffers through `cblas_sgemm`, or
/// with bfloat16 inputs on oneDNN when ``Precision/current`` asks for it.
///
/// `bfloat16` is the precision of the whole product when this call computes
/// a block of it; `nil` lets the call's own size decide (calls whose sizes do
/// not depend on the thread count).
@inline(__always)
internal func gemm(
  transposingA: Bool, transposingB: Bool, m: Int, n: Int, k: Int,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  c: UnsafeMutablePointer<Float>, ldc: Int, accumulating: Bool, bfloat16: Bool? = nil
) {
  if m == 0 || n == 0 { return }
  if k == 0 {
    if !accumulating { c.update(repeating: 0, count: (m - 1) * ldc + n) }
    return
  }
  if bfloat16 ?? Precision.runsBFloat16Products(m: m, n: n, k: k) {
    let status = gtn_dnnl_matmul_bf16(
      transposingA ? 1 : 0, transposingB ? 1 : 0, Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), c, Int32(ldc),
      accumulating ? 1 : 0)
    precondition(status == 0, "oneDNN bfloat16 matrix product failed (status \(status)) for [\(m), \(k)]·[\(k), \(n)]")
    return
  }
  cblas_sgemm(
    CblasRowMajor, transposingA ? CblasTrans : CblasNoTrans, transposingB ? CblasTrans : CblasNoTrans,
    blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb),
    accumulating ? 1 : 0, c, blasint(ldc))
}
