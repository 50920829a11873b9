/// No curriculum: fresh Gaussian inputs and uniformly random labels at every
/// step of every outer iteration (the paper's "no curriculum" ablation).
public struct RandomCurriculum: Curriculum, Codable, Hashable {
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

  public func batch(at step: Int, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch {
    var rng = stepGenerator(seed: seed, step: step, stream: 1)
    let inputs = Tensor(randomNormal: [batchSize, noiseSize], using: &rng)
    let labels = (0..<batchSize).map { _ in Int.random(in: 0..<classCount, using: &rng) }
    return CurriculumBatch(inputs: Variable(inputs), labels: labels, targets: Variable(CurriculumBatch.oneHot(labels, classCount: classCount)))
  }
}
