/// The GTN paper's learned curriculum: one learned input vector per sample
/// per step (a `[T, B, noise]` tensor), labels fixed and class-balanced
/// (sample `i` has class `i mod K`), optionally with learned soft labels.
///
/// ```swift
/// let curriculum = LearnedCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64, classCount: 10)
/// ```
public struct LearnedCurriculum: Curriculum, Codable, Hashable {
  public var stepCount: Int
  public var batchSize: Int
  public var noiseSize: Int
  public var classCount: Int
  /// Whether the targets are learned distributions (softmax of learned
  /// logits, initialised near one-hot) instead of fixed one-hot labels.
  public var learnsSoftLabels: Bool

  public init(stepCount: Int, batchSize: Int, noiseSize: Int, classCount: Int = 10, learnsSoftLabels: Bool = false) {
    precondition(stepCount > 0 && batchSize > 0 && noiseSize > 0 && classCount > 1, "LearnedCurriculum needs positive sizes")
    self.stepCount = stepCount
    self.batchSize = batchSize
    self.noiseSize = noiseSize
    self.classCount = classCount
    self.learnsSoftLabels = learnsSoftLabels
  }

  public var parameterCount: Int { learnsSoftLabels ? 2 : 1 }

  /// `["inputs"]`, with soft labels `["inputs", "label_logits"]`.
  public var parameterNames: [String] { learnsSoftLabels ? ["inputs", "label_logits"] : ["inputs"] }

  /// The fixed class of each sample in a step.
  public var labels: [Int] { (0..<batchSize).map { $0 % classCount } }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    let inputs = Tensor(randomNormal: [stepCount, batchSize, noiseSize], using: &generator)
    guard learnsSoftLabels else { return [inputs] }
    return [inputs, CurriculumBatch.initialLabelLogits(labels: labels, stepCount: stepCount, classCount: classCount)]
  }

  public func batch(at step: Int, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch {
    let p = Array(parameters)
    let inputs = p[0].slice(alongAxis: 0, step..<(step + 1)).reshaped(to: [batchSize, noiseSize])
    let targets = learnsSoftLabels
      ? p[1].slice(alongAxis: 0, step..<(step + 1)).reshaped(to: [batchSize, classCount]).softmax()
      : Variable(CurriculumBatch.oneHot(labels, classCount: classCount))
    return CurriculumBatch(inputs: inputs, labels: labels, targets: targets)
  }

  /// The steps' learned inputs as one slice of the `[T, B, noise]` tensor.
  public func batches(for steps: Range<Int>, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch {
    let p = Array(parameters)
    let rows = steps.count * batchSize
    let inputs = p[0].slice(alongAxis: 0, steps).reshaped(to: [rows, noiseSize])
    let allLabels = Array([[Int]](repeating: labels, count: steps.count).joined())
    let targets = learnsSoftLabels
      ? p[1].slice(alongAxis: 0, steps).reshaped(to: [rows, classCount]).softmax()
      : Variable(CurriculumBatch.oneHot(allLabels, classCount: classCount))
    return CurriculumBatch(inputs: inputs, labels: allLabels, targets: targets)
  }
}
