// Elementwise arithmetic with NumPy-style broadcasting. The gradient of a
// broadcast operand is the upstream gradient summed back to its shape.

extension Variable {
  public static func + (lhs: Variable, rhs: Variable) -> Variable {
    let (ls, rs) = (lhs.shape, rhs.shape)
    return recording(lhs.value + rhs.value, inputs: [lhs, rhs], saving: .none) { c in
      [c.needsGradient(0) ? c.upstream.summed(toShape: ls) : nil,
       c.needsGradient(1) ? c.upstream.summed(toShape: rs) : nil]
    }
  }

  public static func - (lhs: Variable, rhs: Variable) -> Variable {
    let (ls, rs) = (lhs.shape, rhs.shape)
    return recording(lhs.value - rhs.value, inputs: [lhs, rhs], saving: .none) { c in
      [c.needsGradient(0) ? c.upstream.summed(toShape: ls) : nil,
       c.needsGradient(1) ? (-c.upstream).summed(toShape: rs) : nil]
    }
  }

  public static func * (lhs: Variable, rhs: Variable) -> Variable {
    let (ls, rs) = (lhs.shape, rhs.shape)
    return recording(lhs.value * rhs.value, inputs: [lhs, rhs], saving: .inputs([0, 1])) { c in
      [c.needsGradient(0) ? (c.upstream * c.inputs[1]).summed(toShape: ls) : nil,
       c.needsGradient(1) ? (c.upstream * c.inputs[0]).summed(toShape: rs) : nil]
    }
  }

  public static func / (lhs: Variable, rhs: Variable) -> Variable {
    let (ls, rs) = (lhs.shape, rhs.shape)
    return recording(lhs.value / rhs.value, inputs: [lhs, rhs], saving: .inputs([1], output: true)) { c in
      let b = c.inputs[1]
      return [c.needsGradient(0) ? (c.upstream / b).summed(toShape: ls) : nil,
              c.needsGradient(1) ? (-(c.upstream * c.output) / b).summed(toShape: rs) : nil]
    }
  }

  public static prefix func - (x: Variable) -> Variable {
    recording(-x.value, inputs: [x], saving: .none) { c in [-c.upstream] }
  }

  /// `x · s` for a constant scalar `s`.
  public static func * (lhs: Variable, rhs: Float) -> Variable {
    recording(lhs.value * rhs, inputs: [lhs], saving: .none) { c in [c.upstream * rhs] }
  }

  /// `s · x` for a constant scalar `s`.
  public static func * (lhs: Float, rhs: Variable) -> Variable { rhs * lhs }

  /// `x / s` for a constant scalar `s`.
  public static func / (lhs: Variable, rhs: Float) -> Variable { lhs * (1 / rhs) }

  /// `x + s` for a constant scalar `s`.
  public static func + (lhs: Variable, rhs: Float) -> Variable {
    recording(lhs.value + rhs, inputs: [lhs], saving: .none) { c in [c.upstream] }
  }

  /// `s + x` for a constant scalar `s`.
  public static func + (lhs: Float, rhs: Variable) -> Variable { rhs + lhs }

  /// `x − s` for a constant scalar `s`.
  public static func - (lhs: Variable, rhs: Float) -> Variable { lhs + (-rhs) }

  /// `s − x` for a constant scalar `s`.
  public static func - (lhs: Float, rhs: Variable) -> Variable { (-rhs) + lhs }

  /// `x · t` for a constant tensor `t` (broadcast).
  public static func * (lhs: Variable, rhs: Tensor) -> Variable { lhs * Variable(rhs) }

  /// `x + t` for a constant tensor `t` (broadcast).
  public static func + (lhs: Variable, rhs: Tensor) -> Variable { lhs + Variable(rhs) }

  public static func += (lhs: inout Variable, rhs: Variable) { lhs = lhs + rhs }
  public static func -= (lhs: inout Variable, rhs: Variable) { lhs = lhs - rhs }
}
