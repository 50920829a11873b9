/// Learned input vectors, but drawn in a fresh random order at every outer
/// iteration: a learned *set* without a learned *order* (the paper's
/// "shuffled batch" ablation).
public struct ShuffledCurriculum: Curriculum, Codable, Hashable {
  public var stepCount: Int
  public var batchSize: Int
  public var noiseSize: Int
  public var classCount: Int

  public init(stepCount: Int, batchSize: Int, noiseSize: Int, classCount: Int = 10) {
    self.stepCount = stepCount
    self.batchSize = batchSize
    self.noiseSize = noiseSize
    self.classCount = classCount
  }

  public var parameterCount: Int { 1 }
  /// `["inputs"]`.
  public var parameterNames: [String] { ["inputs"] }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    [Tensor(randomNormal: [stepCount * batchSize, noiseSize], using: &generator)]
  }

  public func batch(at step: Int, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch {
    // One permutation per outer iteration, shared by all its steps.
    var rng = stepGenerator(seed: seed, step: 0, stream: 2)
    let order = Array(0..<(stepCount * batchSize)).shuffled(using: &rng)
    let rows = Array(order[(step * batchSize)..<((step + 1) * batchSize)])
    let labels = rows.map { $0 % classCount }
    return CurriculumBatch(
      inputs: parameters[parameters.startIndex].gatheringRows(rows), labels: labels,
      targets: Variable(CurriculumBatch.oneHot(labels, classCount: classCount)))
  }
}
