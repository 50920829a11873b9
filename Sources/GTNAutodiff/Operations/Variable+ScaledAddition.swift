// Scaling by a learned scalar, with or without an added tensor, as single
// graph nodes: the inner optimisers' updates (v ← μ·v + g, θ ← θ − η·v) are
// two passes over the parameters instead of four, forward and backward.

extension Variable {
  /// `self · scale + addend` in one pass, with `scale` a one-element
  /// variable.
  ///
  /// Equal to `self * scale + addend` (bit for bit), recorded as one node.
  /// The gradients are `∂/∂self = upstream · scale`, `∂/∂addend =
  /// upstream` and `∂/∂scale = ⟨upstream, self⟩`, written in differentiable
  /// operations, so gradients of gradients work.
  ///
  /// ```swift
  /// let velocity = previous.scaled(by: momentum, adding: gradient)   // μ·v + g
  /// let next = velocity.scaled(by: -learningRate, adding: parameter) // θ − η·v
  /// ```
  ///
  /// - Parameters:
  ///   - scale: A variable with one element (any rank).
  ///   - addend: A variable of the same shape as `self`.
  /// - Complexity: O(n) forward; O(n) per needed gradient backward.
  public func scaled(by scale: Variable, adding addend: Variable) -> Variable {
    precondition(scale.value.scalarCount == 1, "scaled(by:adding:) needs a one-element scale, got shape \(scale.shape)")
    precondition(addend.shape == shape, "scaled(by:adding:) needs equal shapes, got \(shape) and \(addend.shape)")
    let value = self.value.scaled(by: scale.value.scalar, adding: addend.value)
    return Variable.recording(value, inputs: [self, scale, addend], saving: .inputs([0, 1])) { c in
      let (x, s) = (c.inputs[0], c.inputs[1])
      return [c.needsGradient(0) ? c.upstream.scaled(by: s) : nil,
              c.needsGradient(1) ? c.upstream.dot(x).reshaped(to: s.shape) : nil,
              c.needsGradient(2) ? c.upstream : nil]
    }
  }

  /// `self · scale` in one pass, with `scale` a one-element variable.
  ///
  /// Gradients: `∂/∂self = upstream · scale`, `∂/∂scale = ⟨upstream, self⟩`.
  ///
  /// - Parameter scale: A variable with one element (any rank).
  /// - Complexity: O(n).
  public func scaled(by scale: Variable) -> Variable {
    precondition(scale.value.scalarCount == 1, "scaled(by:) needs a one-element scale, got shape \(scale.shape)")
    return Variable.recording(value.scaled(by: scale.value.scalar), inputs: [self, scale], saving: .inputs([0, 1])) { c in
      let (x, s) = (c.inputs[0], c.inputs[1])
      return [c.needsGradient(0) ? c.upstream.scaled(by: s) : nil,
              c.needsGradient(1) ? c.upstream.dot(x).reshaped(to: s.shape) : nil]
    }
  }

  /// The dot product `⟨self, other⟩ = Σᵢ selfᵢ · otherᵢ`, as a scalar.
  ///
  /// Gradients: `∂/∂self = upstream · other`, `∂/∂other = upstream · self`.
  ///
  /// - Parameter other: A variable of the same shape.
  /// - Complexity: O(n), through `cblas_sdot`.
  public func dot(_ other: Variable) -> Variable {
    precondition(other.shape == shape, "dot(_:) needs equal shapes, got \(shape) and \(other.shape)")
    return Variable.recording(Tensor(value.dot(other.value)), inputs: [self, other], saving: .inputs([0, 1])) { c in
      let (a, b) = (c.inputs[0], c.inputs[1])
      return [c.needsGradient(0) ? b.scaled(by: c.upstream) : nil,
              c.needsGradient(1) ? a.scaled(by: c.upstream) : nil]
    }
  }
}
