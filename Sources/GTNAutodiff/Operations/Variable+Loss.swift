extension Variable {
  /// The logarithm of the softmax along the last axis, computed stably:
  /// `y = x − max − log Σ e^(x − max)`.
  ///
  /// The gradient is `g − softmax(x) · Σ g`, written with the output
  /// (`softmax = e^y`) so that it is itself differentiable.
  public func logSoftmax() -> Variable {
    let x = value
    let shifted = x - x.maxAlongLastAxis()
    let logSum = shifted.exp().sum(alongAxes: [-1]).log()
    return Variable.recording(shifted - logSum, inputs: [self], saving: .output) { c in
      [c.upstream - c.output.exp() * c.upstream.sum(alongAxes: [-1])]
    }
  }

  /// The softmax along the last axis.
  public func softmax() -> Variable { logSoftmax().exp() }
}

/// The mean softmax cross-entropy of `[N, K]` logits against class labels.
///
/// `L = −(1/N) Σ_n log softmax(logits_n)[labels_n]`
///
/// - Parameters:
///   - logits: Unnormalised class scores, `[N, K]`.
///   - labels: N class indices in `0..<K`.
public func crossEntropy(logits: Variable, labels: [Int]) -> Variable {
  precondition(logits.rank == 2 && logits.shape[0] == labels.count, "crossEntropy: logits \(logits.shape) and \(labels.count) labels")
  let k = logits.shape[1]
  let indices = labels.enumerated().map { n, y in
    precondition(y >= 0 && y < k, "crossEntropy: label \(y) out of range 0..<\(k)")
    return Int32(n * k + y)
  }
  return -logits.logSoftmax().gathering(flatIndices: indices, shape: [labels.count]).mean()
}

/// The mean softmax cross-entropy of `[N, K]` logits against soft labels
/// (a probability distribution per row).
///
/// `L = −(1/N) Σ_n Σ_k p_nk · log softmax(logits_n)_k`
///
/// - Parameters:
///   - logits: Unnormalised class scores, `[N, K]`.
///   - probabilities: `[N, K]` target distributions; may require gradients
///     (e.g. learned soft labels).
public func crossEntropy(logits: Variable, probabilities: Variable) -> Variable {
  precondition(logits.shape == probabilities.shape && logits.rank == 2, "crossEntropy: logits \(logits.shape) and probabilities \(probabilities.shape)")
  return -(logits.logSoftmax() * probabilities).sum() * (1 / Float(logits.shape[0]))
}

/// The fraction of rows of `[N, K]` scores whose largest entry is the label.
public func accuracy(logits: Tensor, labels: [Int]) -> Double {
  precondition(logits.rank == 2 && logits.shape[0] == labels.count, "accuracy: logits \(logits.shape) and \(labels.count) labels")
  guard !labels.isEmpty else { return 0 }
  let predicted = logits.argmaxAlongLastAxis()
  return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
}
