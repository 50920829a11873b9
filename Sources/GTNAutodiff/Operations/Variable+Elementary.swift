// Activations and elementary functions. Each backward rule uses the output
// where that is cheaper (tanh, sigmoid, exp) and is written in variable
// operations, so it can be differentiated again. Piecewise-linear functions
// have piecewise-constant derivatives: their masks are constants.

extension Variable {
  /// `max(x, 0)` elementwise. The derivative at 0 is taken as 0.
  public func relu() -> Variable {
    // The output is positive exactly where the input is: its sign is the mask.
    let y = value.relu()
    return Variable.recording(y, inputs: [self], saving: .none) { c in
      [c.upstream.scaledBySign(of: y, negativeSlope: 0)]
    }
  }

  /// `x` where `x > 0`, `slope·x` elsewhere. The derivative at 0 is `slope`.
  public func leakyRelu(slope: Float = 0.01) -> Variable {
    // For `slope ≥ 0` the output is positive exactly where the input is, so
    // the mask reads the output, which the next layer usually keeps anyway.
    let y = value.leakyRelu(slope: slope)
    let mask = slope >= 0 ? y : value
    return Variable.recording(y, inputs: [self], saving: .none) { c in
      [c.upstream.scaledBySign(of: mask, negativeSlope: slope)]
    }
  }

  /// `self` where `x > 0`, `negativeSlope · self` elsewhere: the derivative
  /// of a (leaky) ReLU at `x` applied to an upstream gradient, in one pass
  /// (no mask tensor). Linear in `self`; `x` is a constant (the mask is
  /// piecewise constant), so its adjoint is the same masking.
  func scaledBySign(of x: Tensor, negativeSlope: Float) -> Variable {
    Variable.recording(value.scaledBySign(of: x, negativeSlope: negativeSlope), inputs: [self], saving: .none) { c in
      [c.upstream.scaledBySign(of: x, negativeSlope: negativeSlope)]
    }
  }

  /// Hyperbolic tangent; `d tanh(x) = 1 − tanh²(x)`.
  public func tanh() -> Variable {
    Variable.recording(value.tanh(), inputs: [self], saving: .output) { c in
      [c.upstream.scaledByTanhDerivative(of: c.output)]
    }
  }

  /// `self · (1 − y²)` as one node: the backward pass of ``tanh()`` for the
  /// upstream gradient `self` and `y = tanh(x)`, itself differentiable —
  /// `∂/∂self = upstream · (1 − y²)`, `∂/∂y = −2 · upstream · self · y`.
  func scaledByTanhDerivative(of y: Variable) -> Variable {
    Variable.recording(value.scaledByTanhDerivative(of: y.value), inputs: [self, y], saving: .inputs([0, 1])) { c in
      let (g, y) = (c.inputs[0], c.inputs[1])
      return [c.needsGradient(0) ? c.upstream.scaledByTanhDerivative(of: y) : nil,
              c.needsGradient(1) ? c.upstream * g * y * -2 : nil]
    }
  }

  /// The logistic function `σ(x) = 1 / (1 + e^(−x))`; `dσ = σ(1 − σ)`.
  public func sigmoid() -> Variable {
    Variable.recording(value.sigmoid(), inputs: [self], saving: .output) { c in
      let y = c.output
      return [c.upstream * (y * (1 - y))]
    }
  }

  /// `e^x`; its own derivative.
  public func exp() -> Variable {
    Variable.recording(value.exp(), inputs: [self], saving: .output) { c in [c.upstream * c.output] }
  }

  /// Natural logarithm; `d log x = 1/x`.
  public func log() -> Variable {
    Variable.recording(value.log(), inputs: [self], saving: .inputs([0])) { c in [c.upstream / c.inputs[0]] }
  }

  /// Square root; `d √x = 1 / (2√x)`.
  public func squareRoot() -> Variable {
    Variable.recording(value.squareRoot(), inputs: [self], saving: .output) { c in [c.upstream / (2 * c.output)] }
  }

  /// `log(1 + e^x)`, a smooth ReLU; its derivative is `σ(x)`.
  public func softplus() -> Variable {
    Variable.recording(value.softplus(), inputs: [self], saving: .inputs([0])) { c in [c.upstream * c.inputs[0].sigmoid()] }
  }

  /// `x²`; `d x² = 2x`.
  public func squared() -> Variable {
    Variable.recording(value.squared(), inputs: [self], saving: .inputs([0])) { c in [c.upstream * (2 * c.inputs[0])] }
  }
}
