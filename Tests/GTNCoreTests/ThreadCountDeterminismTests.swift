import GTNCore
import Testing

/// Every kernel that splits work across threads either writes disjoint
/// outputs or adds partial sums fixed by the sizes alone, so a meta-gradient
/// is bit-identical for any thread count. (One BLAS thread throughout: matrix
/// products split across the threads only then.)
@Test func metaGradientsAreBitIdenticalForAnyThreadCount() throws {
  try BLASRuntime.withThreadCount(1) { try compareMetaGradientsAcrossThreadCounts() }
}

private func compareMetaGradientsAcrossThreadCounts() throws {
  let trainer = try MetaTrainer(
    generator: ConditionalGenerator.smallConv(noiseSize: 16),
    curriculum: LearnedCurriculum(stepCount: 2, batchSize: 64, noiseSize: 16, learnsSoftLabels: true),
    optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.5, stepCount: 2, perStep: true),
    learners: [Sequential.smallConvLearner(batchNorm: true)],
    configuration: MetaTrainingConfiguration(iterations: 1, intermediateLossInterval: 1), seed: 3)
  var rng = SplitMix64(seed: 8)
  let x = Tensor(randomUniform: [64, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
  let y = (0..<64).map { $0 % 10 }
  let theta0 = trainer.learners[0].makeParameters(using: &rng)
  func run(threads: Int) -> (Float, [[Float]]) {
    withParallelism(threads: threads) {
      let result = trainer.metaGradient(learner: trainer.learners[0], initialParameters: theta0, seed: 5, realImages: x, realLabels: y)
      return (result.loss, result.gradients.tensors.map(\.scalars))
    }
  }
  let serial = run(threads: 1)
  for threads in [2, 3] {
    let parallel = run(threads: threads)
    #expect(parallel.0.bitPattern == serial.0.bitPattern, "meta-loss with \(threads) threads")
    let differing = zip(parallel.1, serial.1).enumerated().filter { !zip($1.0, $1.1).allSatisfy { $0.bitPattern == $1.bitPattern } }.map(\.offset)
    #expect(differing.isEmpty, "\(threads) threads: tensors \(differing) of \(trainer.state.metaParameters.keys) differ")
  }
}
