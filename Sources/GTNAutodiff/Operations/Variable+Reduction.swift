extension Variable {
  /// Sums along the given axes, keeping them with extent 1.
  ///
  /// The gradient broadcasts the upstream gradient back.
  public func sum(alongAxes axes: [Int]) -> Variable {
    let shape = self.shape
    return Variable.recording(value.sum(alongAxes: axes), inputs: [self], saving: .none) { c in
      [c.upstream.broadcast(to: shape)]
    }
  }

  /// The sum of all elements, as a scalar.
  public func sum() -> Variable {
    let shape = self.shape
    return Variable.recording(value.sum(), inputs: [self], saving: .none) { c in
      [c.upstream.reshaped(to: shape.map { _ in 1 }).broadcast(to: shape)]
    }
  }

  /// The mean along the given axes, keeping them with extent 1.
  public func mean(alongAxes axes: [Int]) -> Variable {
    let count = value.normalizedAxes(axes).reduce(1) { $0 * shape[$1] }
    return sum(alongAxes: axes) * (1 / Float(count))
  }

  /// The mean of all elements, as a scalar.
  public func mean() -> Variable { sum() * (1 / Float(Swift.max(value.scalarCount, 1))) }

  /// Sums broadcast dimensions away to reach `target` (the adjoint of
  /// ``broadcast(to:)``).
  public func summed(toShape target: [Int]) -> Variable {
    if target == shape { return self }
    let shape = self.shape
    return Variable.recording(value.summed(toShape: target), inputs: [self], saving: .none) { c in
      [c.upstream.broadcast(to: shape)]
    }
  }

  /// Repeats along extent-1 and new leading dimensions to reach `target`.
  public func broadcast(to target: [Int]) -> Variable {
    if target == shape { return self }
    let shape = self.shape
    return Variable.recording(value.broadcast(to: target), inputs: [self], saving: .none) { c in
      [c.upstream.summed(toShape: shape)]
    }
  }
}
