import Foundation
import GTNCore
import GTNData
import Testing

/// A tiny, fully smooth GTN: MLP generator, tanh MLP learner, 4×4 images.
private func tinyTrainer(steps: Int = 3, segment: Int? = nil, intermediate: Int? = nil, softLabels: Bool = false) -> MetaTrainer {
  let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 8), Tanh(), Linear(8, 16), Tanh(), Reshape([1, 4, 4])))
  let learner = Sequential(Flatten(), Linear(16, 5), Tanh(), Linear(5, 3))
  // The components fit by construction.
  return try! MetaTrainer(
    generator: generator,
    curriculum: LearnedCurriculum(stepCount: steps, batchSize: 6, noiseSize: 3, classCount: 3, learnsSoftLabels: softLabels),
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: steps, perStep: true),
    learners: [learner],
    configuration: MetaTrainingConfiguration(iterations: 10, intermediateLossInterval: intermediate, checkpointSegmentLength: segment),
    seed: 11)
}

private func realBatch() -> (Tensor, [Int]) {
  var rng = SplitMix64(seed: 5)
  return (Tensor(randomNormal: [9, 1, 4, 4], using: &rng), (0..<9).map { $0 % 3 })
}

@Test("Meta-gradient matches finite differences of the unrolled meta-loss", arguments: [false, true])
func metaGradientMatchesFiniteDifferences(softLabels: Bool) throws {
  let trainer = tinyTrainer(intermediate: 1, softLabels: softLabels)
  let (x, y) = realBatch()
  var rng = SplitMix64(seed: 3)
  let learner = trainer.learners[0]
  let theta0 = learner.makeParameters(using: &rng)

  // Directional derivatives through every meta-parameter at once
  // (generator, curriculum, lr and momentum); see checkMetaGradient.
  var directions = SplitMix64(seed: 9)
  let results = trainer.checkMetaGradient(
    learner: learner, initialParameters: theta0, seed: 1, realImages: x, realLabels: y,
    randomDirections: 3, using: &directions)
  let worst = results.map(\.relativeError).max() ?? .infinity
  print("meta-gradient vs finite differences (soft labels: \(softLabels)): worst error relative to ‖g‖ \(worst) over 4 directions")
  #expect(results.count == 4)
  // Along the gradient itself the derivative is ‖g‖ > 0, measured independently.
  #expect(results[0].finiteDifference > 0)
  #expect(worst < 1e-3)
}

@Test func checkpointedMetaGradientEqualsFullGraph() {
  let (x, y) = realBatch()
  var rng = SplitMix64(seed: 3)
  let full = tinyTrainer(steps: 7, intermediate: 2)
  let learner = full.learners[0]
  let theta0 = learner.makeParameters(using: &rng)
  let a = full.metaGradient(learner: learner, initialParameters: theta0, seed: 4, realImages: x, realLabels: y)
  for segment in [1, 2, 3] {
    let b = tinyTrainer(steps: 7, segment: segment, intermediate: 2)
      .metaGradient(learner: learner, initialParameters: theta0, seed: 4, realImages: x, realLabels: y)
    #expect(abs(a.loss - b.loss) < 1e-5)
    var worst: Float = 0
    for (ga, gb) in zip(a.gradients.tensors, b.gradients.tensors) {
      for (u, v) in zip(ga.scalars, gb.scalars) { worst = max(worst, abs(u - v) / (abs(u) + 1e-4)) }
    }
    print("checkpoint segment \(segment): worst relative difference \(worst)")
    #expect(worst < 1e-3)
  }
}

@Test func metaTrainingLowersTheMetaLoss() throws {
  var trainer = tinyTrainer(steps: 4)
  trainer.configuration.learningRate = 0.05
  let (x, y) = realBatch()
  var losses: [Float] = []
  for _ in 0..<60 { losses.append(try trainer.step(realImages: x, realLabels: y).metaLoss) }
  print("tiny meta-training losses: first \(losses[0]), last \(losses.last!)")
  let early: Float = losses.prefix(5).reduce(0, +)
  let late: Float = losses.suffix(5).reduce(0, +)
  #expect(late < early * 0.85)
}

@Test func checkpointResumeReproducesUninterruptedRun() throws {
  let (x, y) = realBatch()
  var straight = tinyTrainer()
  for _ in 0..<6 { _ = try straight.step(realImages: x, realLabels: y) }

  var first = tinyTrainer()
  for _ in 0..<3 { _ = try first.step(realImages: x, realLabels: y) }
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-resume-\(UInt64.random(in: 0...UInt64.max)).safetensors")
  defer { try? FileManager.default.removeItem(at: url) }
  try first.saveCheckpoint(to: url)
  var resumed = tinyTrainer()
  try resumed.restoreCheckpoint(from: url)
  #expect(resumed.state == first.state)
  for _ in 0..<3 { _ = try resumed.step(realImages: x, realLabels: y) }
  #expect(resumed.state == straight.state)
}

@Test func restoringAMismatchedCheckpointFailsClearly() throws {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-mismatch-\(UInt64.random(in: 0...UInt64.max)).safetensors")
  defer { try? FileManager.default.removeItem(at: url) }
  try tinyTrainer(steps: 3).saveCheckpoint(to: url)
  var other = tinyTrainer(steps: 5)
  #expect(throws: CheckpointError.self) { try other.restoreCheckpoint(from: url) }
  try Data([1, 2, 3]).write(to: url)
  do {
    try other.restoreCheckpoint(from: url)
    Issue.record("a 3-byte file was accepted")
  } catch let error as CheckpointError {
    #expect(error.description.contains(url.path))
  }
}

@Test("Meta-gradient through a convolutional learner and generator matches finite differences")
func convolutionalMetaGradientMatchesFiniteDifferences() throws {
  // Smooth stand-ins (tanh, average pooling) for LeakyReLU and max pooling,
  // whose step-function derivatives make the unrolled meta-loss jump.
  let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 2 * 2 * 2), Tanh(), Reshape([2, 2, 2]), Upsample(factor: 2), ReflectionPad(1),
    Conv2D(2, 2, padding: 0, weightNormalized: true), BatchNorm(2), Tanh(), Upsample(factor: 2), Conv2D(2, 1), Tanh()))
  let learner = Sequential(
    Conv2D(1, 3), BatchNorm(3, meanOnly: true), Tanh(), AveragePool2D(),
    Conv2D(3, 4, stride: 2), Tanh(), Flatten(), Linear(16, 3))
  let trainer = try MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: 3, batchSize: 6, noiseSize: 3, classCount: 3),
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 3, perStep: true),
    learners: [learner],
    configuration: MetaTrainingConfiguration(iterations: 1, intermediateLossInterval: 1),
    seed: 2)
  var rng = SplitMix64(seed: 8)
  let x = Tensor(randomNormal: [5, 1, 8, 8], using: &rng)
  let theta0 = learner.makeParameters(using: &rng)
  let results = trainer.checkMetaGradient(
    learner: learner, initialParameters: theta0, seed: 3, realImages: x, realLabels: [0, 1, 2, 0, 1],
    randomDirections: 3, using: &rng)
  let worst = results.map(\.relativeError).max() ?? .infinity
  print("convolutional meta-gradient vs finite differences: worst error relative to ‖g‖ \(worst)")
  #expect(results[0].finiteDifference > 0)
  #expect(worst < 1e-3)
}

/// A generator that hides its sample independence, so the meta-trainer
/// generates one batch per inner step.
private struct StepByStepGenerator: Generator {
  var base: ConditionalGenerator
  var parameterCount: Int { base.parameterCount }
  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] { base.makeParameters(using: &generator) }
  func callAsFunction(_ inputs: Variable, targets: Variable, parameters: ArraySlice<Variable>) -> Variable {
    base(inputs, targets: targets, parameters: parameters)
  }
}

/// Generating every inner step's images in one call (a generator without
/// batch statistics) gives the meta-gradient of one call per step — with
/// and without soft labels, whole or in checkpointed segments.
@Test(arguments: [(false, nil), (true, nil), (false, 2), (true, 3)] as [(Bool, Int?)])
func generatingAllStepsAtOnceGivesTheSameMetaGradient(softLabels: Bool, segment: Int?) {
  let (x, y) = realBatch()
  let batched = tinyTrainer(steps: 5, segment: segment, intermediate: 2, softLabels: softLabels)
  #expect(batched.generator.generatesSamplesIndependently)
  var stepwise = batched
  stepwise.generator = StepByStepGenerator(base: batched.generator as! ConditionalGenerator)
  #expect(!stepwise.generator.generatesSamplesIndependently)
  var rng = SplitMix64(seed: 3)
  let learner = batched.learners[0]
  let theta0 = learner.makeParameters(using: &rng)
  let a = batched.metaGradient(learner: learner, initialParameters: theta0, seed: 4, realImages: x, realLabels: y)
  let b = stepwise.metaGradient(learner: learner, initialParameters: theta0, seed: 4, realImages: x, realLabels: y)
  #expect(abs(a.loss - b.loss) <= 1e-6 * abs(b.loss))
  var worst: Float = 0
  for (ga, gb) in zip(a.gradients.tensors, b.gradients.tensors) {
    #expect(ga.shape == gb.shape)
    for (u, v) in zip(ga.scalars, gb.scalars) { worst = max(worst, abs(u - v) / (abs(v) + 1e-4)) }
  }
  #expect(worst < 1e-4, "worst relative difference \(worst)")
}

/// A curriculum's stacked batches are its per-step batches in order, for
/// the learned curriculum's one-slice version and the default.
@Test(arguments: [false, true])
func stackedCurriculumBatchesAreThePerStepBatches(softLabels: Bool) {
  let curriculum = LearnedCurriculum(stepCount: 6, batchSize: 4, noiseSize: 3, classCount: 3, learnsSoftLabels: softLabels)
  var rng = SplitMix64(seed: 2)
  let parameters = curriculum.makeParameters(using: &rng).map { Variable($0, requiresGradient: true) }
  let stacked = curriculum.batches(for: 2..<5, parameters: parameters[...], seed: 7)
  let parts = (2..<5).map { curriculum.batch(at: $0, parameters: parameters[...], seed: 7) }
  #expect(stacked.inputs.value.scalars == parts.flatMap(\.inputs.value.scalars))
  #expect(stacked.targets.value.scalars == parts.flatMap(\.targets.value.scalars))
  #expect(stacked.labels == parts.flatMap(\.labels))
  let shuffled = ShuffledCurriculum(stepCount: 6, batchSize: 4, noiseSize: 3, classCount: 3)
  let shuffledParameters = shuffled.makeParameters(using: &rng).map { Variable($0) }
  let defaultStacked = shuffled.batches(for: 0..<3, parameters: shuffledParameters[...], seed: 7)
  let defaultParts = (0..<3).map { shuffled.batch(at: $0, parameters: shuffledParameters[...], seed: 7) }
  #expect(defaultStacked.inputs.value.scalars == defaultParts.flatMap(\.inputs.value.scalars))
  #expect(defaultStacked.labels == defaultParts.flatMap(\.labels))
}

/// Batch statistics make a network sample-dependent; everything else in
/// the bundled layers is per sample.
@Test func sampleIndependenceOfLayersAndGenerators() {
  #expect(Sequential(Linear(4, 8), LeakyReLU(0.1), Reshape([2, 2, 2]), Upsample(factor: 2), Conv2D(2, 1), Tanh())
    .processesSamplesIndependently)
  #expect(!Sequential(Linear(4, 8), BatchNorm(8), LeakyReLU(0.1)).processesSamplesIndependently)
  #expect(!BatchNorm(8).processesSamplesIndependently)
  #expect(IdentityGenerator().generatesSamplesIndependently)
  #expect(!ConditionalGenerator(noiseSize: 2, classCount: 2, network: Sequential(Linear(4, 4), BatchNorm(4)))
    .generatesSamplesIndependently)
}

/// Direct pixel learning with learned soft labels: the meta-gradient reaches
/// the images and the label logits and matches finite differences.
@Test("Pixel curriculum meta-gradient matches finite differences", arguments: [false, true])
func pixelCurriculumMetaGradientMatchesFiniteDifferences(softLabels: Bool) throws {
  let curriculum = PixelCurriculum(stepCount: 3, batchSize: 6, imageShape: [1, 4, 4], classCount: 3, learnsSoftLabels: softLabels)
  #expect(curriculum.parameterNames == (softLabels ? ["images", "label_logits"] : ["images"]))
  let learner = Sequential(Flatten(), Linear(16, 5), Tanh(), Linear(5, 3))
  let trainer = try MetaTrainer(
    generator: IdentityGenerator(), curriculum: curriculum,
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 3, perStep: true),
    learners: [learner], configuration: MetaTrainingConfiguration(iterations: 10, intermediateLossInterval: 1), seed: 11)
  let (x, y) = realBatch()
  var rng = SplitMix64(seed: 3)
  var directions = SplitMix64(seed: 9)
  let results = trainer.checkMetaGradient(
    learner: learner, initialParameters: learner.makeParameters(using: &rng), seed: 1, realImages: x, realLabels: y,
    randomDirections: 3, using: &directions)
  let worst = results.map(\.relativeError).max() ?? .infinity
  print("pixel curriculum (soft labels: \(softLabels)): worst error relative to ‖g‖ \(worst)")
  #expect(results[0].finiteDifference > 0)
  #expect(worst < 1e-3)
  // The first step's targets start near one-hot and are distributions.
  var parameterRNG = SplitMix64(seed: 4)
  let parameters = curriculum.makeParameters(using: &parameterRNG).map { Variable($0) }
  let targets = curriculum.batch(at: 0, parameters: parameters[...], seed: 0).targets.value.scalars
  for (i, label) in curriculum.labels.enumerated() {
    let row = targets[(i * 3)..<(i * 3 + 3)]
    #expect(abs(row.reduce(0, +) - 1) < 1e-5)
    #expect(row[i * 3 + label] > (softLabels ? 0.8 : 0.99))
  }
}

/// Descriptions saved before pixel curricula had soft labels decode as one-hot.
@Test func pixelCurriculumDecodesDescriptionsWithoutSoftLabels() throws {
  let old = Data(#"{"stepCount":2,"batchSize":4,"imageShape":[1,4,4],"classCount":2}"#.utf8)
  let decoded = try JSONDecoder().decode(PixelCurriculum.self, from: old)
  #expect(decoded == PixelCurriculum(stepCount: 2, batchSize: 4, imageShape: [1, 4, 4], classCount: 2))
  let soft = PixelCurriculum(stepCount: 2, batchSize: 4, imageShape: [1, 4, 4], classCount: 2, learnsSoftLabels: true)
  #expect(try JSONDecoder().decode(PixelCurriculum.self, from: JSONEncoder().encode(soft)) == soft)
}

/// Real initial images: each sample gets an image of its own class, drawn
/// by the generator; a wrong shape or a missing class is an error naming it.
@Test func pixelCurriculumStartsFromRealImagesOfEachSamplesClass() throws {
  // Image n is filled with the value n, so each drawn image names its source.
  let labels = [0, 1, 2, 0, 1, 2, 0, 1]
  let images = Tensor(shape: [8, 1, 2, 2]) { b in for n in 0..<8 { for j in 0..<4 { b[n * 4 + j] = Float(n) } } }
  let dataset = Dataset(images: images, labels: labels, classNames: ["a", "b", "c"])
  let pixels = PixelCurriculum(stepCount: 3, batchSize: 6, imageShape: [1, 2, 2], classCount: 3)
  var rng = SplitMix64(seed: 5)
  let initial = try pixels.initialImages(from: dataset, using: &rng)
  #expect(initial.shape == [3, 6, 1, 2, 2])
  let values = initial.scalars
  var sources = Set<Int>()
  for sample in 0..<18 {
    let source = Int(values[sample * 4])
    #expect(values[(sample * 4)..<(sample * 4 + 4)].allSatisfy { $0 == Float(source) })
    #expect(labels[source] == pixels.labels[sample % 6], "sample \(sample) drew image \(source)")
    sources.insert(source)
  }
  #expect(sources.count > 3, "the draws should vary, got \(sources.sorted())")
  var again = SplitMix64(seed: 5)
  #expect(try pixels.initialImages(from: dataset, using: &again) == initial)
  #expect(throws: MetaTrainingError.self) {
    try PixelCurriculum(stepCount: 1, batchSize: 6, imageShape: [1, 3, 3], classCount: 3).initialImages(from: dataset, using: &rng)
  }
  let twoClasses = Dataset(images: images, labels: labels.map { $0 % 2 }, classNames: ["a", "b", "c"])
  #expect(throws: MetaTrainingError.invalidArgument(name: "dataset", reason: "no image of class 2, which the pixel curriculum's samples use")) {
    try pixels.initialImages(from: twoClasses, using: &rng)
  }
}
