internal import _GTNCBLAS

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
    precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
    let m = transposingA ? a.shape[1] : a.shape[0]
    let k = transposingA ? a.shape[0] : a.shape[1]
    let kb = transposingB ? b.shape[1] : b.shape[0]
    let n = transposingB ? b.shape[0] : b.shape[1]
    precondition(
      k == kb,
      "matmul shapes \(a.shape)\(transposingA ? "ᵀ" : "") and \(b.shape)\(transposingB ? "ᵀ" : "") do not agree")
    return Tensor.overwriting(shape: [m, n], { out in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          gemm(
            transposingA: transposingA, transposingB: transposingB, m: m, n: n, k: k,
            a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
            c: out.baseAddress!, ldc: n, accumulating: false)
        }
      }
    })
  }
}

/// `C = op(A)·op(B) (+ C)` on row-major buffers through `cblas_sgemm`.
@inline(__always)
internal func gemm(
  transposingA: Bool, transposingB: Bool, m: Int, n: Int, k: Int,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  c: UnsafeMutablePointer<Float>, ldc: Int, accumulating: Bool
) {
  if m == 0 || n == 0 { return }
  if k == 0 {
    if !accumulating { c.update(repeating: 0, count: (m - 1) * ldc + n) }
    return
  }
  cblas_sgemm(
    CblasRowMajor, transposingA ? CblasTrans : CblasNoTrans, transposingB ? CblasTrans : CblasNoTrans,
    blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb),
    accumulating ? 1 : 0, c, blasint(ldc))
}
