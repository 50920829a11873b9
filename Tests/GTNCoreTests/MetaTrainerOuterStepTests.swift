import Foundation
import GTNCore
import Testing

/// `step` is exactly `nextOuterSeed` + `sampleLearner` + `metaGradient` +
/// `applyMetaGradient`, the seam custom outer loops use.
@Test func stepIsTheComposedOuterStep() throws {
  func make() -> MetaTrainer {
    twoLearnerTrainer(configuration: MetaTrainingConfiguration(iterations: 5, gradientClipNorm: 0.05))
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

  let nan = parts.state.metaParameters.mapTensors { Tensor(repeating: .nan, shape: $0.shape) }
  let before = parts.state
  #expect(throws: MetaTrainingError.nonFiniteMetaLoss(iteration: 3)) { try parts.applyMetaGradient(nan, metaLoss: 1) }
  #expect(parts.state == before)

  // Skipping the iteration advances the count and changes nothing else;
  // the next step goes on from the same meta-parameters.
  parts.skipIteration()
  #expect(parts.state.iteration == 4)
  #expect(parts.state.metaParameters == before.metaParameters && parts.state.rng == before.rng)
  var skippedState = parts.state
  skippedState.iteration = 3
  #expect(skippedState == before)
  _ = try parts.step(realImages: x, realLabels: y)
  #expect(parts.state.iteration == 5 && parts.state.metaParameters != before.metaParameters)
}

/// The outer update is Adam exactly as written in the workload
/// specification (bias-corrected moments, ε = 1e-8, clipped gradient), for
/// every element of every meta-parameter — whichever instruction-set clone
/// of the kernel runs (it must match this scalar loop bit for bit).
@Test func outerUpdateIsAdamOnTheClippedGradient() throws {
  let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 37), Tanh(), Linear(37, 16), Tanh(), Reshape([1, 4, 4])))
  let configuration = MetaTrainingConfiguration(iterations: 4, learningRate: 0.01, gradientClipNorm: 2)
  var trainer = try MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: 2, batchSize: 5, noiseSize: 3, classCount: 3),
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 2, perStep: true),
    learners: [Sequential(Flatten(), Linear(16, 3))], configuration: configuration, seed: 9)
  var rng = SplitMix64(seed: 4)
  var p = trainer.state.metaParameters.tensors.map(\.scalars)
  var m = p.map { [Float](repeating: 0, count: $0.count) }
  var v = m
  for iteration in 0..<3 {
    let gradients = trainer.state.metaParameters.tensors.map { Tensor(randomNormal: $0.shape, using: &rng) }
    let norm = try trainer.applyMetaGradient(trainer.state.metaParameters.replacingTensors(with: gradients), metaLoss: 1)
    let referenceNorm = gradients.flatMap(\.scalars).reduce(0.0) { (total: Double, x: Float) in total + Double(x) * Double(x) }.squareRoot()
    #expect(abs(Double(norm) - referenceNorm) <= 1e-6 * referenceNorm, "norm \(norm) vs \(referenceNorm)")
    let scale: Float = norm > 2 ? 2 / norm : 1
    let lr = configuration.learningRate(at: iteration)
    let c1 = 1 - powf(0.9, Float(iteration + 1))
    let c2 = 1 - powf(0.999, Float(iteration + 1))
    for i in p.indices {
      for j in p[i].indices {
        let g = gradients[i].scalars[j] * scale
        m[i][j] = 0.9 * m[i][j] + (1 - 0.9) * g
        v[i][j] = 0.999 * v[i][j] + (1 - 0.999) * g * g
        p[i][j] -= lr * (m[i][j] / c1) / ((v[i][j] / c2).squareRoot() + 1e-8)
      }
    }
    #expect(trainer.state.metaParameters.tensors.map(\.scalars) == p, "iteration \(iteration)")
    let moments = trainer.state.outerOptimizerState
    #expect(moments.firstMoments.map(\.scalars) == m && moments.secondMoments.map(\.scalars) == v)
  }
}
