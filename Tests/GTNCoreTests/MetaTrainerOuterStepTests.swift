import GTNCore
import Testing

/// `step` is exactly `nextOuterSeed` + `sampleLearner` + `metaGradient` +
/// `applyMetaGradient`, the seam custom outer loops use.
@Test func stepIsTheComposedOuterStep() throws {
  func make() -> MetaTrainer {
    let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
      Linear(6, 8), Tanh(), Linear(8, 16), Tanh(), Reshape([1, 4, 4])))
    return MetaTrainer(
      generator: generator, curriculum: LearnedCurriculum(stepCount: 3, batchSize: 6, noiseSize: 3, classCount: 3),
      optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 3, perStep: true),
      learners: [Sequential(Flatten(), Linear(16, 4), Tanh(), Linear(4, 3)), Sequential(Flatten(), Linear(16, 3))],
      configuration: MetaTrainingConfiguration(iterations: 5, gradientClipNorm: 0.05), seed: 3)
  }
  var g = SplitMix64(seed: 1)
  let x = Tensor(randomNormal: [5, 1, 4, 4], using: &g)
  let y = [0, 1, 2, 1, 0]
  var whole = make()
  var parts = make()
  for _ in 0..<3 {
    let a = try whole.step(realImages: x, realLabels: y)
    let seed = parts.nextOuterSeed()
    let (index, theta0) = parts.sampleLearner(seed: seed)
    let (loss, _, gradients) = parts.metaGradient(learner: parts.learners[index], initialParameters: theta0, seed: seed, realImages: x, realLabels: y)
    let norm = try parts.applyMetaGradient(gradients, metaLoss: loss)
    #expect(a.learnerIndex == index && a.metaLoss == loss && a.gradientNorm == norm)
  }
  #expect(whole.state == parts.state)
  #expect(whole.state.iteration == 3)

  let nan = parts.state.metaParameters.map { Tensor(repeating: .nan, shape: $0.shape) }
  let before = parts.state
  #expect(throws: MetaTrainingError.nonFiniteMetaLoss(iteration: 3)) { try parts.applyMetaGradient(nan, metaLoss: 1) }
  #expect(parts.state == before)
}
