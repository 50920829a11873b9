/// What the learner is taught at each inner step: generator inputs and the
/// class targets that go with them.
///
/// A curriculum may own learnable tensors (the GTN paper's learned input
/// vectors, or learned soft labels); the meta-trainer updates them with the
/// generator. Randomness must come only from `seed` and `step`, so that a
/// step recomputed during gradient checkpointing sees the same batch.
public protocol Curriculum: Sendable {
  /// The number of inner steps, T.
  var stepCount: Int { get }
  /// Samples per step, B.
  var batchSize: Int { get }
  /// The number of classes, K.
  var classCount: Int { get }
  /// How many learnable tensors the curriculum owns.
  var parameterCount: Int { get }

  /// The names of the learnable tensors, in the order of
  /// ``makeParameters(using:)``. The default names them by position.
  var parameterNames: [String] { get }

  /// Draws the initial learnable tensors.
  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor]

  /// The batch for inner step `step` of the outer iteration with `seed`.
  func batch(at step: Int, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch

  /// The batches of the inner steps `steps`, stacked in step order: step
  /// `steps.lowerBound + i` is rows `i·B ..< (i + 1)·B`.
  ///
  /// The default concatenates ``batch(at:parameters:seed:)``; a curriculum
  /// whose parameters already hold the steps contiguously can return one
  /// slice instead.
  func batches(for steps: Range<Int>, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch
}

extension Curriculum {
  public var parameterCount: Int { 0 }
  public var parameterNames: [String] { .positionalNames(parameterCount) }
  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] { [] }

  public func batches(for steps: Range<Int>, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch {
    let parts = steps.map { batch(at: $0, parameters: parameters, seed: seed) }
    return CurriculumBatch(
      inputs: Variable.concatenating(parts.map(\.inputs), alongAxis: 0),
      labels: parts.flatMap(\.labels),
      targets: Variable.concatenating(parts.map(\.targets), alongAxis: 0))
  }
}

/// The generator inputs and class targets of one inner step.
public struct CurriculumBatch {
  /// `[B, …]` generator inputs.
  public var inputs: Variable
  /// The hard class of each sample (for accuracy and for one-hot targets).
  public var labels: [Int]
  /// `[B, K]` target distributions: one-hot, or learned soft labels.
  public var targets: Variable

  public init(inputs: Variable, labels: [Int], targets: Variable) {
    self.inputs = inputs
    self.labels = labels
    self.targets = targets
  }

  /// The initial logits of learned soft labels for `stepCount` steps of
  /// `labels`, `[T, B, K]`: 3 on each sample's class, 0 elsewhere, so the
  /// softmax starts at ≈ 0.69 on the class.
  static func initialLabelLogits(labels: [Int], stepCount: Int, classCount: Int) -> Tensor {
    let oneHot = oneHot(labels, classCount: classCount)
    return Tensor(shape: [stepCount, labels.count, classCount]) { buffer in
      oneHot.withUnsafeBufferPointer { p in
        for t in 0..<stepCount { for j in 0..<p.count { buffer[t * p.count + j] = 3 * p[j] } }
      }
    }
  }

  /// One-hot targets for hard labels.
  public static func oneHot(_ labels: [Int], classCount: Int) -> Tensor {
    Tensor(shape: [labels.count, classCount]) { buffer in
      for (i, y) in labels.enumerated() {
        precondition(y >= 0 && y < classCount, "label \(y) out of range 0..<\(classCount)")
        buffer[i * classCount + y] = 1
      }
    }
  }
}

/// A random number generator for one step of one outer iteration.
func stepGenerator(seed: UInt64, step: Int, stream: UInt64 = 0) -> SplitMix64 {
  var mixer = SplitMix64(seed: SplitMix64.seed(seed, stream: UInt64(step)) ^ (stream &* 0xD1B5_4A32_D192_ED03))
  return SplitMix64(seed: mixer.next())
}
