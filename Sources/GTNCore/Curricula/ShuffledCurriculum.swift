/// Learned input vectors, drawn in a fresh random order at every outer
/// iteration: a learned *set* without a learned *order*. The paper's two
/// shuffling ablations, by ``Granularity``: every sample anywhere in the
/// curriculum ("all shuffled", the default) or whole batches, which keep
/// their samples together ("shuffled batch").
///
/// ```swift
/// let allShuffled = ShuffledCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64)
/// let shuffledBatches = ShuffledCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64, granularity: .batches)
/// ```
///
/// References: Such et al., *Generative Teaching Networks*, ICML 2020, §3.2.
public struct ShuffledCurriculum: Curriculum, Codable, Hashable {
  /// What moves when the curriculum is shuffled.
  public enum Granularity: String, Codable, Hashable, Sendable, CaseIterable {
    /// Each sample goes to a random place in a random step.
    case samples
    /// Each step gets a random one of the learned batches, whole.
    case batches
  }

  public var stepCount: Int
  public var batchSize: Int
  public var noiseSize: Int
  public var classCount: Int
  public var granularity: Granularity

  public init(stepCount: Int, batchSize: Int, noiseSize: Int, classCount: Int = 10, granularity: Granularity = .samples) {
    self.stepCount = stepCount
    self.batchSize = batchSize
    self.noiseSize = noiseSize
    self.classCount = classCount
    self.granularity = granularity
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
    let rows: [Int]
    switch granularity {
    case .samples:
      let order = Array(0..<(stepCount * batchSize)).shuffled(using: &rng)
      rows = Array(order[(step * batchSize)..<((step + 1) * batchSize)])
    case .batches:
      let source = Array(0..<stepCount).shuffled(using: &rng)[step]
      rows = Array((source * batchSize)..<((source + 1) * batchSize))
    }
    let labels = rows.map { $0 % classCount }
    return CurriculumBatch(
      inputs: parameters[parameters.startIndex].gatheringRows(rows), labels: labels,
      targets: Variable(CurriculumBatch.oneHot(labels, classCount: classCount)))
  }

  private enum CodingKeys: String, CodingKey {
    case stepCount, batchSize, noiseSize, classCount, granularity
  }

  /// Decodes a curriculum; descriptions without a granularity shuffle samples.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      stepCount: try c.decode(Int.self, forKey: .stepCount), batchSize: try c.decode(Int.self, forKey: .batchSize),
      noiseSize: try c.decode(Int.self, forKey: .noiseSize), classCount: try c.decode(Int.self, forKey: .classCount),
      granularity: try c.decodeIfPresent(Granularity.self, forKey: .granularity) ?? .samples)
  }
}
