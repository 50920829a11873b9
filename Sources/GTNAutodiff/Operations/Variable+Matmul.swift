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
  return Variable.recording(value, inputs: [a, b], saving: .inputs([0, 1])) { c in
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

/// The affine map `input · weightᵀ + bias` of a batch of row vectors: a
/// fully connected layer as one graph node.
///
/// The same value and derivatives, to every order, as
/// `matmul(input, weight, transposingB: true) + bias`, without the separate
/// broadcasting pass (the bias is written into the result before the
/// product accumulates onto it). Gradients: `dInput = g · weight`,
/// `dWeight = gᵀ · input`, `dBias = Σ_rows g`.
///
/// ```swift
/// let hidden = linear(x, weight: w, bias: b).leakyRelu(slope: 0.1)
/// ```
///
/// - Parameters:
///   - input: `[n, in]`.
///   - weight: `[out, in]`.
///   - bias: `[out]`.
/// - Returns: `[n, out]`.
/// - Complexity: O(n·in·out) forward, twice that backward.
public func linear(_ input: Variable, weight: Variable, bias: Variable) -> Variable {
  let value = Tensor.linear(input.value, weight: weight.value, bias: bias.value)
  let biasShape = bias.shape
  return Variable.recording(value, inputs: [input, weight, bias], saving: .inputs([0, 1])) { c in
    let (x, w, g) = (c.inputs[0], c.inputs[1], c.upstream)
    return [c.needsGradient(0) ? matmul(g, w) : nil,
            c.needsGradient(1) ? matmul(g, x, transposingA: true) : nil,
            c.needsGradient(2) ? g.summed(toShape: biasShape) : nil]
  }
}
