import GTNCore
import Testing

private func generator(imageShape: [Int] = [1, 4, 4]) -> ConditionalGenerator {
  ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 8), Tanh(), Linear(8, imageShape.reduce(1, *)), Tanh(), Reshape(imageShape)))
}

private let curriculum = LearnedCurriculum(stepCount: 2, batchSize: 6, noiseSize: 3, classCount: 3)
private let configuration = MetaTrainingConfiguration(iterations: 2)

/// A learner that forgets to declare its parameter count.
private struct ForgetfulLearner: Learner {
  func makeParameters(using rng: inout some RandomNumberGenerator) -> [Tensor] { [Tensor(zeros: [16, 3])] }
  func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    matmul(input.flattenedBatch(), parameters[parameters.startIndex])
  }
}

@Test func aGeneratorWhoseImagesTheLearnerCannotTakeIsAThrownErrorNamingBothShapes() {
  // 8×8 images for a learner that flattens 4×4 ones.
  let learner = Sequential(Flatten(), Linear(16, 5), Tanh(), Linear(5, 3))
  do {
    _ = try MetaTrainer(
      generator: generator(imageShape: [1, 8, 8]), curriculum: curriculum, optimizer: SGDWithMomentum(),
      learners: [learner], configuration: configuration, seed: 1)
    Issue.record("a mismatched generator was accepted")
  } catch let error as MetaTrainingError {
    let text = error.description
    #expect(text.contains("[6, 1, 8, 8]") && text.contains("[N, 16]") && text.contains("[6, 64]"), "\(text)")
    #expect(text.contains("Linear(16, 5)"), "\(text)")
  } catch {
    Issue.record("unexpected error \(error)")
  }
}

@Test func aGeneratorThatDoesNotFitTheCurriculumIsAThrownError() {
  let wrongNoise = LearnedCurriculum(stepCount: 2, batchSize: 6, noiseSize: 5, classCount: 3)
  #expect(throws: MetaTrainingError.self) {
    try MetaTrainer(
      generator: generator(), curriculum: wrongNoise, optimizer: SGDWithMomentum(),
      learners: [Sequential(Flatten(), Linear(16, 3))], configuration: configuration, seed: 1)
  }
}

@Test func aLearnerWithTheWrongClassCountIsAThrownError() {
  do {
    _ = try MetaTrainer(
      generator: generator(), curriculum: curriculum, optimizer: SGDWithMomentum(),
      learners: [Sequential(Flatten(), Linear(16, 10))], configuration: configuration, seed: 1)
    Issue.record("a 10-class learner was accepted for 3 classes")
  } catch {
    #expect("\(error)".contains("[6, 10]") && "\(error)".contains("[6, 3]"), "\(error)")
  }
}

@Test func aLearnerThatBreaksItsParameterCountIsAThrownError() {
  do {
    _ = try MetaTrainer(
      generator: generator(), curriculum: curriculum, optimizer: SGDWithMomentum(),
      learners: [ForgetfulLearner()], configuration: configuration, seed: 1)
    Issue.record("a learner declaring 0 parameters but making 1 was accepted")
  } catch {
    #expect("\(error)".contains("parameterCount = 0") && "\(error)".contains("made 1"), "\(error)")
  }
}

@Test func realBatchesAndTestSetsThatDoNotFitAreThrownErrors() throws {
  let learner = Sequential(Flatten(), Linear(16, 3))
  var trainer = try MetaTrainer(
    generator: generator(), curriculum: curriculum, optimizer: SGDWithMomentum(),
    learners: [learner], configuration: configuration, seed: 1)
  var rng = SplitMix64(seed: 1)
  let x = Tensor(randomNormal: [4, 1, 4, 4], using: &rng)
  let before = trainer.state
  #expect(throws: MetaTrainingError.self) { try trainer.step(realImages: x, realLabels: [0, 1, 2]) }
  #expect(throws: MetaTrainingError.self) { try trainer.step(realImages: x, realLabels: [0, 1, 2, 3]) }
  let wide = Tensor(randomNormal: [4, 1, 5, 5], using: &rng)
  #expect(throws: MetaTrainingError.self) { try trainer.step(realImages: wide, realLabels: [0, 1, 2, 0]) }
  #expect(trainer.state == before)
  #expect(throws: MetaTrainingError.self) {
    try trainer.evaluate(learner: learner, stepCounts: [2], seeds: [1], testImages: x.slice(alongAxis: 0, 0..<0), testLabels: [])
  }
  #expect(throws: MetaTrainingError.self) {
    try trainer.evaluate(learner: learner, stepCounts: [0], seeds: [1], testImages: x, testLabels: [0, 1, 2, 0])
  }
}

@Test func metaParametersAreNamedAfterTheComponents() throws {
  let trainer = try MetaTrainer(
    generator: generator(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 6, noiseSize: 3, classCount: 3, learnsSoftLabels: true),
    optimizer: SGDWithMomentum(stepCount: 2, perStep: true), learners: [Sequential(Flatten(), Linear(16, 3))],
    configuration: configuration, seed: 1)
  let meta = trainer.state.metaParameters
  #expect(meta.generator.names == ["0.weight", "0.bias", "2.weight", "2.bias"])
  #expect(meta.curriculum.names == ["inputs", "label_logits"])
  #expect(meta.optimizer.names == ["log_learning_rate", "momentum_logit"])
  #expect(meta.keys.first == "generator.0.weight" && meta.keys.last == "optimizer.momentum_logit")
  #expect(meta.curriculum["inputs"].shape == [2, 6, 3])
  let doubled = meta.mapTensors { $0 * 2 }
  #expect(doubled.replacingTensors(with: meta.tensors) == meta)
}

@Test func activationsBeforeMaxPoolingGiveTheSameValuesAndGradients() {
  var rng = SplitMix64(seed: 3)
  for activation in [ReLU() as any Layer, LeakyReLU(0.1), LeakyReLU(0)] {
    let network = Sequential(Conv2D(2, 3), activation, MaxPool2D(), Conv2D(3, 2), activation, MaxPool2D())
    let x = Variable(Tensor(randomNormal: [2, 2, 9, 9], using: &rng), requiresGradient: true)
    let p = network.makeParameters(using: &rng).map { Variable($0, requiresGradient: true) }
    let output = network(x, parameters: p[...])
    // The layers one by one, in the order written.
    var reference = x
    var start = 0
    for layer in network.layers {
      reference = layer(reference, parameters: p[start..<(start + layer.parameterCount)])
      start += layer.parameterCount
    }
    #expect(output.shape == [2, 2, 2, 2])
    #expect(output.value.scalars == reference.value.scalars)
    let g = gradients(of: output.squared().sum(), withRespectTo: [x] + p)
    let gReference = gradients(of: reference.squared().sum(), withRespectTo: [x] + p)
    for (a, b) in zip(g, gReference) { #expect(a.value.scalars == b.value.scalars) }
  }
}

@Test func layersReportTheirOutputShapes() throws {
  #expect(try Conv2D(1, 4, stride: 2).outputShape(forInputShape: [2, 1, 28, 28]) == [2, 4, 14, 14])
  #expect(try MaxPool2D().outputShape(forInputShape: [2, 4, 7, 7]) == [2, 4, 3, 3])
  #expect(try Sequential.smallConvLearner().outputShape(forInputShape: [5, 1, 28, 28]) == [5, 10])
  #expect(try Sequential.paperLearner().outputShape(forInputShape: [5, 1, 28, 28]) == [5, 10])
  #expect(try ConditionalGenerator.paper(noiseSize: 128).outputShape(forInputShape: [4, 128], targetShape: [4, 10]) == [4, 1, 28, 28])
  #expect(throws: LayerShapeError.self) { try Conv2D(3, 4).outputShape(forInputShape: [2, 1, 28, 28]) }
}
