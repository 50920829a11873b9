/// The matrix product `op(a) · op(b)` of rank-2 variables.
///
/// The gradients are matrix products again (with the transposes arranged so
/// that no transposed copy is made):
/// `dA = g · op(B)ᵀ` and `dB = op(A)ᵀ · g`, transposed back where `op` did.
///
/// - Complexity: O(m·n·k) forward, twice that backward.
public func matmul(
  _ a: Variable, _ b: Variable, transposingA: Bool = false, transposingB: Bool = false
) -> Variable {
  let value = Tensor.matmul(a.value, b.value, transposingA: transposingA, transposingB: transposingB)
  return Variable.recording(value, inputs: [a, b]) { c in
    let (a, b, g) = (c.inputs[0], c.inputs[1], c.upstream)
    var da: Variable? = nil
    var db: Variable? = nil
    if c.needsGradient(0) {
      da = transposingA
        ? matmul(b, g, transposingA: transposingB, transposingB: true)
        : matmul(g, b, transposingA: false, transposingB: !transposingB)
    }
    if c.needsGradient(1) {
      db = transposingB
        ? matmul(g, a, transposingA: true, transposingB: transposingA)
        : matmul(a, g, transposingA: !transposingA, transposingB: false)
    }
    return [da, db]
  }
}
