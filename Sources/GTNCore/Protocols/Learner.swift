/// A classifier that a GTN teaches: images in, class scores (logits) out.
///
/// A learner is a ``Layer`` — it holds no weights of its own, so the inner
/// loop can train a fresh copy functionally, one parameter list per SGD step.
/// Any layer that maps `[N, C, H, W]` (or `[N, D]`) inputs to `[N, K]` logits
/// can be declared a learner:
///
/// ```swift
/// struct TinyMLP: Learner {
///   let body = Sequential(Flatten(), Linear(784, 64), LeakyReLU(0.1), Linear(64, 10))
///   var parameterCount: Int { body.parameterCount }
///   func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
///     body.makeParameters(using: &generator)
///   }
///   func callAsFunction(_ x: Variable, parameters: ArraySlice<Variable>) -> Variable {
///     body(x, parameters: parameters)
///   }
/// }
/// ```
public protocol Learner: Layer {}

extension Sequential: Learner {}

extension Learner {
  /// The fraction of `images` this learner classifies correctly with the
  /// given parameters, evaluated in batches without recording gradients.
  public func accuracy(parameters: [Tensor], images: Tensor, labels: [Int], batchSize: Int = 1000) -> Double {
    precondition(images.shape[0] == labels.count, "accuracy: \(images.shape[0]) images and \(labels.count) labels")
    let p = parameters.map { Variable($0) }
    var correct = 0.0
    var start = 0
    while start < labels.count {
      let end = Swift.min(start + batchSize, labels.count)
      let batch = withoutGradientRecording { () -> Tensor in
        let x = Variable(images.slice(alongAxis: 0, start..<end))
        return self(x, parameters: p[...]).value
      }
      correct += GTNAutodiff.accuracy(logits: batch, labels: Array(labels[start..<end])) * Double(end - start)
      start = end
    }
    return labels.isEmpty ? 0 : correct / Double(labels.count)
  }
}
