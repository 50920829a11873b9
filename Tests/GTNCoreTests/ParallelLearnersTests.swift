import Foundation
import GTNCore
import Testing

private func tinyTrainer() -> MetaTrainer {
  twoLearnerTrainer(configuration: MetaTrainingConfiguration(iterations: 5, learningRate: 0.01))
}

private let pool = { () -> Tensor in var g = SplitMix64(seed: 8); return Tensor(randomNormal: [24, 1, 4, 4], using: &g) }()
private func realBatch(_ learner: Int, _ iteration: Int) -> (images: Tensor, labels: [Int]) {
  let start = (learner * 5 + iteration * 3) % 18
  return (pool.slice(alongAxis: 0, start..<(start + 6)), (start..<(start + 6)).map { ($0 * 7) % 3 })
}

/// L learners per step: learner i drawn from `learnerSeed(outerSeed:index:)`
/// with its own batch, the meta-gradients averaged, then one Adam update.
@Test func parallelLearnersAverageTheirMetaGradients() throws {
  var parallel = tinyTrainer()
  var manual = tinyTrainer()
  for _ in 0..<3 {
    let result = try withParallelism(threads: 2) { try parallel.step(learners: 3, realBatch: realBatch) }
    let iteration = manual.state.iteration
    let seed = manual.nextOuterSeed()
    var sum: [Tensor] = []
    var loss: Float = 0
    for i in 0..<3 {
      let learnerSeed = MetaTrainer.learnerSeed(outerSeed: seed, index: i)
      let (index, theta0) = manual.sampleLearner(seed: learnerSeed)
      let batch = realBatch(i, iteration)
      let one = manual.metaGradient(
        learner: manual.learners[index], initialParameters: theta0, seed: learnerSeed, realImages: batch.images, realLabels: batch.labels)
      if sum.isEmpty { sum = one.gradients.tensors } else { for j in sum.indices { sum[j].add(one.gradients.tensors[j]) } }
      loss += one.loss
    }
    let norm = try manual.applyMetaGradient(manual.state.metaParameters.replacingTensors(with: sum.map { $0 / 3 }), metaLoss: loss / 3)
    #expect(result.metaLoss == loss / 3 && result.gradientNorm == norm)
  }
  #expect(parallel.state == manual.state)
}

/// One learner per step is the serial step; learner 0 keeps the outer seed
/// and the others get distinct seeds.
@Test func oneParallelLearnerIsTheSerialStep() throws {
  var serial = tinyTrainer()
  var parallel = tinyTrainer()
  for _ in 0..<2 {
    let batch = realBatch(0, serial.state.iteration)
    let a = try serial.step(realImages: batch.images, realLabels: batch.labels)
    let b = try parallel.step(learners: 1, realBatch: realBatch)
    #expect(a.metaLoss == b.metaLoss && a.gradientNorm == b.gradientNorm && a.learnerIndex == b.learnerIndex)
  }
  #expect(serial.state == parallel.state)
  #expect(MetaTrainer.learnerSeed(outerSeed: 42, index: 0) == 42)
  let seeds = (0..<16).map { MetaTrainer.learnerSeed(outerSeed: 42, index: $0) }
  #expect(Set(seeds).count == 16)
}

/// How the learners are spread over threads does not change the result.
@Test func parallelLearnersAreBitIdenticalForAnyThreadCount() throws {
  func run(threads: Int) throws -> MetaTrainingState {
    var trainer = tinyTrainer()
    for _ in 0..<2 { _ = try withParallelism(threads: threads) { try trainer.step(learners: 4, realBatch: realBatch) } }
    return trainer.state
  }
  // One BLAS thread throughout: matrix products split across the threads only then.
  try BLASRuntime.withThreadCount(1) {
    let one = try run(threads: 1)
    #expect(try run(threads: 2) == one)
    #expect(try run(threads: 3) == one)
    #expect(try run(threads: 8) == one)
  }
}

/// A batch that does not fit the learners is named with its learner and
/// iteration, and nothing changes.
@Test func parallelLearnersRejectAMalformedBatch() throws {
  var trainer = tinyTrainer()
  let before = trainer.state
  #expect(throws: MetaTrainingError.self) {
    try trainer.step(learners: 2) { learner, iteration in
      learner == 1 ? (pool.slice(alongAxis: 0, 0..<6), [0, 1]) : realBatch(learner, iteration)
    }
  }
  #expect(trainer.state == before)
}
