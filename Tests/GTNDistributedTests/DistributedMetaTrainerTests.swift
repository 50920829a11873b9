import Foundation
import GTNCore
import GTNData
import GTNDistributed
import Testing

/// A tiny GTN: MLP generator, two tanh MLP learners, 4×4 images, 3 classes, T = 4.
private func tinyTrainer(seed: UInt64 = 5) -> MetaTrainer {
  let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 8), Tanh(), Linear(8, 16), Tanh(), Reshape([1, 4, 4])))
  let learners = (0..<2).map { k in Sequential(Flatten(), Linear(16, 4 + k), Tanh(), Linear(4 + k, 3)) }
  // The components fit by construction.
  return try! MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: 4, batchSize: 6, noiseSize: 3, classCount: 3),
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 4, perStep: true),
    learners: learners, configuration: MetaTrainingConfiguration(iterations: 10, learningRate: 0.01), seed: seed)
}

private let pool = { () -> Tensor in var g = SplitMix64(seed: 99); return Tensor(randomNormal: [32, 1, 4, 4], using: &g) }()
private let poolLabels = (0..<32).map { ($0 * 7) % 3 }
private func realBatch(rank: Int, iteration: Int) -> (images: Tensor, labels: [Int]) {
  let start = (rank * 5 + iteration * 3) % 24
  return (pool.slice(alongAxis: 0, start..<(start + 8)), Array(poolLabels[start..<(start + 8)]))
}

struct DistributedMetaTrainerTests {
  @Test func oneRankIsTheSerialTrainer() throws {
    var serial = tinyTrainer()
    var distributed = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: SingleProcessCommunicator(), checksumInterval: 1)
    for _ in 0..<3 {
      let batch = realBatch(rank: 0, iteration: serial.state.iteration)
      let a = try serial.step(realImages: batch.images, realLabels: batch.labels)
      let b = try distributed.step { realBatch(rank: $0, iteration: $1) }
      #expect(a.metaLoss == b.metaLoss && a.gradientNorm == b.gradientNorm && a.learnerIndex == b.learnerIndex)
    }
    #expect(distributed.trainer.state == serial.state)
  }

  /// L learners on one rank compute what `MetaTrainer.step(learners:)`
  /// computes (and so what L ranks of one learner compute).
  @Test func learnersPerRankAreTheParallelStep() throws {
    var parallel = tinyTrainer()
    var distributed = DistributedMetaTrainer(
      trainer: tinyTrainer(), communicator: SingleProcessCommunicator(), learnersPerRank: 2, checksumInterval: 1)
    // One BLAS thread throughout: matrix products split across the threads only then.
    try BLASRuntime.withThreadCount(1) {
      for _ in 0..<3 {
        let a = try withParallelism(threads: 2) { try parallel.step(learners: 2) { realBatch(rank: $0, iteration: $1) } }
        let b = try distributed.step { realBatch(rank: $0, iteration: $1) }
        #expect(a.metaLoss == b.metaLoss && a.gradientNorm == b.gradientNorm && a.learnerIndex == b.learnerIndex)
        #expect(abs(a.realBatchAccuracy - b.realBatchAccuracy) < 1e-12)
      }
    }
    #expect(distributed.trainer.state == parallel.state)
    #expect((0..<8).allSatisfy { DistributedMetaTrainer.rankSeed(base: 7, rank: $0) == MetaTrainer.learnerSeed(outerSeed: 7, index: $0) })
  }

  @Test func rankSeedsKeepRankZeroAndDifferPerRank() {
    #expect(DistributedMetaTrainer.rankSeed(base: 42, rank: 0) == 42)
    let seeds = (0..<16).map { DistributedMetaTrainer.rankSeed(base: 42, rank: $0) }
    #expect(Set(seeds).count == 16)
    #expect(DistributedMetaTrainer.rankSeed(base: 43, rank: 3) != seeds[3])
  }

  @Test func checksumSeesEveryPartOfTheState() {
    let state = tinyTrainer().state
    #expect(state.checksum == tinyTrainer().state.checksum)
    #expect(state.checksum != tinyTrainer(seed: 6).state.checksum)
    var changed = state
    let moment = changed.outerOptimizerState.secondMoments[0]
    changed.outerOptimizerState.secondMoments[0] = Tensor(shape: moment.shape, scalars: [Float(1e-30)] + moment.scalars.dropFirst())
    #expect(changed.checksum != state.checksum)
    changed = state
    changed.iteration += 1
    #expect(changed.checksum != state.checksum)
    changed = state
    _ = changed.rng.next()
    #expect(changed.checksum != state.checksum)
  }

  /// The shared state holds nothing rank-count specific: a checkpoint
  /// written mid-run (by rank 0, with gtn.ranks) continues exactly like the
  /// uninterrupted run.
  @Test func checkpointResumeContinuesTheRun() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-dist-\(UInt64.random(in: 0...UInt64.max)).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    var uninterrupted = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: SingleProcessCommunicator())
    for _ in 0..<2 { _ = try uninterrupted.step { realBatch(rank: $0, iteration: $1) } }
    try uninterrupted.saveCheckpoint(to: url)
    for _ in 0..<2 { _ = try uninterrupted.step { realBatch(rank: $0, iteration: $1) } }

    var resumed = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: SingleProcessCommunicator())
    #expect(try resumed.resume(from: url))
    #expect(resumed.trainer.state.iteration == 2)
    for _ in 0..<2 { _ = try resumed.step { realBatch(rank: $0, iteration: $1) } }
    #expect(resumed.trainer.state == uninterrupted.trainer.state)
    let (_, metadata) = try Safetensors.read(from: url)
    #expect(metadata["gtn.ranks"] == "1")

    var fresh = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: SingleProcessCommunicator())
    #expect(try fresh.resume(from: url.appendingPathExtension("missing")) == false)
    #expect(fresh.trainer.state == tinyTrainer().state)
  }

  @Test func ensembleOfOneIsTheLearner() {
    let distributed = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: SingleProcessCommunicator())
    let evaluation = distributed.evaluateEnsemble(
      learner: distributed.trainer.learners[0], steps: 4, seed: 1, testImages: pool, testLabels: poolLabels, batchSize: 10)
    #expect(evaluation.learnerAccuracies.count == 1)
    #expect(evaluation.ensembleAccuracy == evaluation.learnerAccuracies[0])
  }
}
