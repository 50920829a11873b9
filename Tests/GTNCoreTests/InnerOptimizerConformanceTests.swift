import Foundation
import GTNCore
import Testing

/// A third-party inner optimiser, as a user would write it: SGD without
/// momentum with a learned learning rate, and a `scale` that changes its
/// rule (η·scale) so that tests can see which rule evaluation runs.
private struct ScaledPlainSGD: InnerOptimizer {
  var learningRate: Float = 0.2
  var scale: Float = 1

  func makeMetaParameters() -> NamedTensors {
    NamedTensors(names: ["log_rate"], values: [Tensor(repeating: logf(learningRate), shape: [1])])
  }

  func makeState(for parameters: [Variable]) -> [Variable] { [] }

  func update(
    _ parameters: [Variable], gradients: [Variable], state: inout [Variable], metaParameters: NamedVariables, step: Int
  ) -> [Variable] {
    let eta = metaParameters["log_rate"].exp() * scale
    return zip(parameters, gradients).map { $1.scaled(by: -eta, adding: $0) }
  }
}

/// A tiny separable task: 3 classes of 4×4 images, class c bright in row c.
private func task(count: Int, seed: UInt64) -> (Tensor, [Int]) {
  var rng = SplitMix64(seed: seed)
  let labels = (0..<count).map { $0 % 3 }
  let noise = Tensor(randomNormal: [count, 1, 4, 4], standardDeviation: 0.3, using: &rng)
  let images = Tensor(shape: [count, 1, 4, 4]) { buffer in
    noise.withUnsafeBufferPointer { n in
      for i in 0..<count { for j in 0..<16 { buffer[i * 16 + j] = n[i * 16 + j] + (j / 4 == labels[i] ? 1 : 0) } }
    }
  }
  return (images, labels)
}

private func trainer(optimizer: any InnerOptimizer) throws -> MetaTrainer {
  let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 16), Tanh(), Linear(16, 16), Tanh(), Reshape([1, 4, 4])))
  return try MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: 4, batchSize: 6, noiseSize: 3, classCount: 3),
    optimizer: optimizer, learners: [Sequential(Flatten(), Linear(16, 8), Tanh(), Linear(8, 3))],
    configuration: MetaTrainingConfiguration(iterations: 40, learningRate: 0.02), seed: 2)
}

@Test func aThirdPartyOptimizerIsMetaTrainedAndEvaluatedWithItsOwnRule() throws {
  var gtn = try trainer(optimizer: ScaledPlainSGD())
  #expect(gtn.state.metaParameters.optimizer.names == ["log_rate"])
  let (x, y) = task(count: 30, seed: 1)
  for _ in 0..<40 { _ = try gtn.step(realImages: x, realLabels: y) }
  let (testX, testY) = task(count: 300, seed: 2)
  let learner = gtn.learners[0]
  let accuracy = try gtn.evaluate(learner: learner, stepCounts: [4], seeds: [1, 2, 3], testImages: testX, testLabels: testY)[4]!.mean

  // The same learners trained by hand with the optimiser's own update on
  // the synthetic data give exactly the evaluated accuracy.
  let data = gtn.syntheticData()
  var byHand: [Double] = []
  for seed: UInt64 in [1, 2, 3] {
    var rng = SplitMix64(seed: seed)
    var theta = learner.makeParameters(using: &rng).map { Variable($0) }
    var state = [Variable]()
    let meta = gtn.state.metaParameters.optimizer.mapValues { Variable($0) }
    for t in 0..<4 {
      let variables = theta.map { Variable($0.value, requiresGradient: true) }
      let loss = crossEntropy(logits: learner(Variable(data.batches[t].images), parameters: variables[...]),
                              probabilities: Variable(data.batches[t].targets))
      let grads = gradients(of: loss, withRespectTo: variables)
      theta = withoutGradientRecording {
        ScaledPlainSGD().update(variables.map(\.detached), gradients: grads, state: &state, metaParameters: meta, step: t)
      }.map { Variable($0.value) }
    }
    byHand.append(learner.accuracy(parameters: theta.map(\.value), images: testX, labels: testY))
  }
  #expect(accuracy == MeanAndDeviation(byHand).mean)

  // Changing the rule changes the evaluated accuracy: evaluation runs this
  // optimiser, not a built-in one.
  var changed = gtn
  changed.optimizer = ScaledPlainSGD(scale: 0)
  let frozen = try changed.evaluate(learner: learner, stepCounts: [4], seeds: [1, 2, 3], testImages: testX, testLabels: testY)[4]!.mean
  var untrained = [Double]()
  for seed: UInt64 in [1, 2, 3] {
    var rng = SplitMix64(seed: seed)
    untrained.append(learner.accuracy(parameters: learner.makeParameters(using: &rng), images: testX, labels: testY))
  }
  #expect(frozen == MeanAndDeviation(untrained).mean, "a zero step leaves the learners untrained")
  #expect(accuracy > frozen + 0.2, "trained \(accuracy) vs untrained \(frozen)")
  print("third-party optimiser: \(accuracy) after 4 GTN steps, \(frozen) with a zero step")
}

@Test func syntheticDataReportsTheLearnedSchedule() throws {
  let gtn = try trainer(optimizer: SGDWithMomentum(learningRate: 0.05, momentum: 0.5, stepCount: 4, perStep: true))
  let schedule = gtn.syntheticData().schedule
  #expect(schedule.count == 4)
  #expect(abs(schedule[0]["learning_rate"]! - 0.05) < 1e-6 && abs(schedule[3]["momentum"]! - 0.5) < 1e-6)
  #expect(try trainer(optimizer: ScaledPlainSGD()).syntheticData().schedule[0].isEmpty)
}

@Test func syntheticDataBecomesADatasetInStepOrder() throws {
  let gtn = try trainer(optimizer: SGDWithMomentum(learningRate: 0.05, momentum: 0.5, stepCount: 4, perStep: true))
  let data = gtn.syntheticData()
  let dataset = data.dataset()
  let batchSize = data.batches[0].labels.count
  #expect(dataset.count == data.stepCount * batchSize && dataset.classNames == ["0", "1", "2"])
  #expect(dataset.labels == data.batches.flatMap(\.labels))
  // Sample t·B + i is sample i of step t.
  #expect(dataset.batch(at: (2 * batchSize)..<(3 * batchSize)).images == data.batches[2].images)
  #expect(data.dataset(classNames: ["a", "b", "c"]).classNames == ["a", "b", "c"])
}
