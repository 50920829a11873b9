// The samples in GTNCore's doc comments (`/// ```swift` blocks), compiled by
// `swift build` and checked against the sources by DocumentationSampleTests.
// Lines between `snippet.hide` and `snippet.show` set up what a sample takes
// as given.

import Foundation
import GTNCore
import GTNData

// snippet.hide
/// A small trainer for the samples that take one as given.
func smallTrainer(iterations: Int = 1) throws -> MetaTrainer {
  try MetaTrainer(
    generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
    optimizer: SGDWithMomentum(), learners: [Sequential.mlpLearner()],
    configuration: MetaTrainingConfiguration(iterations: iterations), seed: 1)
}

/// `count` random MNIST-shaped images and their labels.
func randomImages(_ count: Int, seed: UInt64 = 0) -> (images: Tensor, labels: [Int]) {
  var rng = SplitMix64(seed: seed)
  return (Tensor(randomNormal: [count, 1, 28, 28], using: &rng), (0..<count).map { $0 % 10 })
}
// snippet.show

// MARK: Checkpointing/ComponentDescriptions.swift

func componentDescriptions() throws {
  // snippet.hide
  let trainer = try smallTrainer()
  // snippet.show
  if let components = ComponentDescriptions(trainer) {
    let json = try JSONEncoder().encode(components)
    print(String(decoding: json, as: UTF8.self))
  }
}

// MARK: Checkpointing/LayerDescription.swift

func layerDescription() {
  let description = LayerDescription(Sequential.smallConvLearner())   // nil for custom layers
  let rebuilt = description?.layer                                    // an equal network
  // snippet.hide
  print(rebuilt.map { type(of: $0) } as Any)
}

// MARK: Checkpointing/MetaTrainer+Checkpoint.swift

func restoringFrom() throws {
  let trainer = try MetaTrainer(restoringFrom: URL(fileURLWithPath: "gtn-output/checkpoint.safetensors"))
  let data = trainer.syntheticData()   // the learned curriculum, as trained
  // snippet.hide
  print(data.schedule)
}

// MARK: Curricula/LearnedCurriculum.swift

func learnedCurriculum() {
  let curriculum = LearnedCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64, classCount: 10)
  // snippet.hide
  print(curriculum.parameterNames)
}

// MARK: Curricula/PixelCurriculum.swift

func pixelCurriculum() {
  let pixels = PixelCurriculum(stepCount: 10, batchSize: 10, imageShape: [1, 28, 28], learnsSoftLabels: true)
  // snippet.hide
  print(pixels.parameterNames)
}

// MARK: Curricula/PixelCurriculum+RealImages.swift

func pixelCurriculumRealImages() throws {
  // snippet.hide
  var data = SplitMix64(seed: 3)
  let training = Dataset(
    images: Tensor(randomNormal: [20, 1, 28, 28], using: &data), labels: (0..<20).map { $0 % 10 }, classNames: Dataset.mnistClassNames)
  // snippet.show
  let pixels = PixelCurriculum(stepCount: 4, batchSize: 10, imageShape: [1, 28, 28], learnsSoftLabels: true)
  var trainer = try MetaTrainer(
    generator: IdentityGenerator(), curriculum: pixels,
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 4, perStep: true),
    learners: [Sequential.mlpLearner(inputSize: 784, hiddenSize: 32, classCount: 10)],
    configuration: MetaTrainingConfiguration(iterations: 10, learningRate: 0.01), seed: 1)
  var rng = SplitMix64(seed: 1)
  trainer.state.metaParameters.curriculum["images"] = try pixels.initialImages(from: training, using: &rng)
  // snippet.hide
  print(trainer.state.metaParameters.curriculum["images"].shape)
}

// MARK: Curricula/ShuffledCurriculum.swift

func shuffledCurriculum() {
  let allShuffled = ShuffledCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64)
  let shuffledBatches = ShuffledCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64, granularity: .batches)
  print(allShuffled.granularity, shuffledBatches.granularity)
}

// MARK: Evaluation/LearnerTraining.swift

func learnerTraining() {
  // snippet.hide
  let learner = Sequential.mlpLearner()
  var rng = SplitMix64(seed: 0)
  let theta0 = learner.makeParameters(using: &rng)
  let (images, labels) = randomImages(8)
  let batches = Array(repeating: (images: images, targets: CurriculumBatch.oneHot(labels, classCount: 10)), count: 100)
  // snippet.show
  let sgd = SGDWithMomentum(learningRate: 0.05, momentum: 0.9)
  let theta = LearnerTraining.train(
    learner, parameters: theta0, steps: 100, optimizer: sgd, metaParameters: sgd.makeMetaParameters(),
    batch: { t in batches[t] })
  // snippet.hide
  print(learner.accuracy(parameters: theta, images: images, labels: labels))
}

// MARK: Evaluation/MetaTrainer+Evaluation.swift

func evaluate() throws {
  // snippet.hide
  let trainer = try smallTrainer()
  let learner = Sequential.mlpLearner()
  let (x, y) = randomImages(16)
  // snippet.show
  let accuracy = try trainer.evaluate(
    learner: learner, stepCounts: [8, 16, 32], seeds: [1, 2, 3], testImages: x, testLabels: y)
  print(accuracy[32]!)   // e.g. 89.2% ± 0.3
}

// MARK: Evaluation/RealDataBaseline+PerStepCount.swift

func realDataBaseline() {
  // snippet.hide
  let learner = Sequential.mlpLearner()
  let ((x, y), (xv, yv), (xt, yt)) = (randomImages(256, seed: 1), randomImages(64, seed: 2), randomImages(64, seed: 3))
  // snippet.show
  let real = RealDataBaseline.tunedPerStepCount(
    learner: learner, trainImages: x, trainLabels: y, validationImages: xv, validationLabels: yv,
    testImages: xt, testLabels: yt, batchSize: 128, stepCounts: [32, 64, 128], seeds: [1, 2, 3])
  print(real.learningRate[32]!, real.accuracy[32]!)
}

// MARK: Evaluation/SyntheticData.swift

func syntheticData() throws {
  // snippet.hide
  let trainer = try smallTrainer()
  let learner = Sequential.mlpLearner()
  var rng = SplitMix64(seed: 1)
  let (testImages, testLabels) = randomImages(16)
  // snippet.show
  let data = trainer.syntheticData()
  let theta = data.train(learner, parameters: learner.makeParameters(using: &rng), steps: 32)
  print(learner.accuracy(parameters: theta, images: testImages, labels: testLabels))
}

// MARK: Evaluation/SyntheticData+Dataset.swift

func syntheticDataset() throws {
  // snippet.hide
  let trainer = try smallTrainer()
  // snippet.show
  let samples = trainer.syntheticData().dataset(classNames: Dataset.mnistClassNames)
  print(samples.count, samples.imageShape)   // T × B, e.g. [1, 28, 28]
}

// MARK: Evaluation/SyntheticDataExport.swift

func syntheticDataExport() throws {
  // snippet.hide
  let trainer = try smallTrainer()
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-samples")
  // snippet.show
  let export = try SyntheticDataExport(trainer: trainer, classNames: Dataset.mnistClassNames)
  let files = try export.write(.npy, to: folder)   // images.npy, labels.npy, schedule.json
  // snippet.hide
  print(files)
}

// MARK: Evaluation/SyntheticDataExportError.swift

func syntheticDataExportError() throws {
  // snippet.hide
  let trainer = try smallTrainer()
  // snippet.show
  do {
    _ = try SyntheticDataExport(trainer: trainer, count: 1_000_000)
  } catch let error as SyntheticDataExportError {
    print(error)   // count: the curriculum holds 32 steps of 128 samples, and …
  }
}

// MARK: Layers/Layer.swift

struct Scale: Layer {
  var parameterCount: Int { 1 }
  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] { [Tensor(1)] }
  func callAsFunction(_ x: Variable, parameters: ArraySlice<Variable>) -> Variable {
    x * parameters[parameters.startIndex]
  }
}

func sequential() {
  // snippet.hide
  let x = Variable(randomImages(4).images.reshaped(to: [4, 784]))
  // snippet.show
  let mlp = Sequential(
    Linear(784, 128), LeakyReLU(0.1), Linear(128, 10))
  var rng = SplitMix64(seed: 0)
  let p = mlp.makeParameters(using: &rng).map { Variable($0, requiresGradient: true) }
  let logits = mlp(x, parameters: p[...])
  // snippet.hide
  print(logits.shape, Sequential(mlp.layers + [Scale()]).parameterCount)   // [4, 10] 5
}

// MARK: MetaParameters/MetaParameters.swift

func metaParameters() throws {
  // snippet.hide
  let trainer = try smallTrainer()
  // snippet.show
  let meta = trainer.state.metaParameters
  print(meta.curriculum["inputs"].shape)          // [T, B, noise]
  print(meta.optimizer.names)                     // ["log_learning_rate", "momentum_logit"]
  let doubled = meta.mapTensors { $0 * 2 }
  // snippet.hide
  print(doubled.keys)
}

// MARK: MetaParameters/NamedList.swift

func namedList() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let (w, b) = (Tensor(randomNormal: [10, 784], using: &rng), Tensor(ones: [10]))
  // snippet.show
  var parameters = NamedTensors(names: ["weight", "bias"], values: [w, b])
  parameters["bias"] = Tensor(zeros: [10])
  for (name, tensor) in parameters.elements { print(name, tensor.shape) }
}

// MARK: Optimizers/Adam.swift

func adam() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  var parameters = [Tensor(randomNormal: [4, 3], using: &rng), Tensor(zeros: [3])]
  let gradients = [Tensor(randomNormal: [4, 3], using: &rng), Tensor(ones: [3])]
  // snippet.show
  let adam = Adam(beta1: 0.9, beta2: 0.999)
  var state = adam.makeState(for: parameters)
  adam.update(&parameters, gradients: gradients, state: &state, learningRate: 1e-3)
  // snippet.hide
  print(parameters[1], state.stepCount)
}

// MARK: Optimizers/SGDWithMomentum.swift

func sgdWithMomentum() {
  let optimizer = SGDWithMomentum(learningRate: 0.02, momentum: 0.5, stepCount: 32, perStep: true)
  // snippet.hide
  print(optimizer.makeMetaParameters().shapes)   // [[32], [32]]
}

// MARK: Protocols/Generator.swift

func conditionalGenerator() {
  let g = ConditionalGenerator(noiseSize: 64, classCount: 10, network: Sequential(
    Linear(74, 256), LeakyReLU(0.1), Linear(256, 784), Tanh(), Reshape([1, 28, 28])))
  // snippet.hide
  print(g.parameterCount)
}

// MARK: Protocols/InnerOptimizer.swift

struct PlainSGD: InnerOptimizer {
  func makeMetaParameters() -> NamedTensors {
    NamedTensors(names: ["log_learning_rate"], values: [Tensor(repeating: -3, shape: [1])])  // η = e⁻³ ≈ 0.05
  }
  func makeState(for parameters: [Variable]) -> [Variable] { [] }
  func update(_ parameters: [Variable], gradients: [Variable], state: inout [Variable],
              metaParameters: NamedVariables, step: Int) -> [Variable] {
    let eta = metaParameters["log_learning_rate"].exp()
    return zip(parameters, gradients).map { $1.scaled(by: -eta, adding: $0) }
  }
}

// MARK: Protocols/Learner.swift

struct TinyMLP: Learner {
  let body = Sequential(Flatten(), Linear(784, 64), LeakyReLU(0.1), Linear(64, 10))
  var parameterCount: Int { body.parameterCount }
  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    body.makeParameters(using: &generator)
  }
  func callAsFunction(_ x: Variable, parameters: ArraySlice<Variable>) -> Variable {
    body(x, parameters: parameters)
  }
}

// MARK: Training/MetaTrainer.swift

func metaTrainer() throws {
  // snippet.hide
  let generator = ConditionalGenerator.mlp()
  let curriculum = LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64)
  let learner = TinyMLP()
  struct RealBatches {
    var seed: UInt64 = 0
    mutating func next() -> (Tensor, [Int]) {
      seed += 1
      return randomImages(8, seed: seed)
    }
  }
  var realBatches = RealBatches()
  // snippet.show
  var trainer = try MetaTrainer(
    generator: generator, curriculum: curriculum, optimizer: SGDWithMomentum(),
    learners: [learner], configuration: .init(iterations: 200), seed: 1)
  for _ in 0..<200 {
    let (x, y) = realBatches.next()
    let result = try trainer.step(realImages: x, realLabels: y)
    print(result.metaLoss)
  }
}

// MARK: Training/MetaTrainer+ParallelLearners.swift

func summedMetaGradient() throws {
  // snippet.hide
  var trainer = try smallTrainer()
  let realBatches = (0..<4).map { randomImages(8, seed: UInt64($0)) }
  // snippet.show
  let seed = trainer.nextOuterSeed()
  let sum = trainer.summedMetaGradient(learners: 0..<4, outerSeed: seed) { i in realBatches[i] }
  // snippet.hide
  print(sum.loss)
}

func parallelLearners() throws {
  // snippet.hide
  var trainer = try smallTrainer()
  func realBatches(_ learner: Int, _ iteration: Int) -> (images: Tensor, labels: [Int]) {
    randomImages(8, seed: UInt64(learner * 1_000 + iteration))
  }
  // snippet.show
  let result = try withParallelism(threads: 2) {
    try trainer.step(learners: 2) { learner, iteration in realBatches(learner, iteration) }
  }
  // snippet.hide
  print(result.metaLoss)
}

// snippet.hide
// MARK: - Running the samples that need no files and little time

try componentDescriptions()
layerDescription()
learnedCurriculum()
pixelCurriculum()
try pixelCurriculumRealImages()
shuffledCurriculum()
learnerTraining()
try evaluate()
try syntheticData()
try syntheticDataset()
sequential()
try metaParameters()
namedList()
adam()
sgdWithMomentum()
conditionalGenerator()
try summedMetaGradient()
try parallelLearners()
print(try MetaTrainer(
  generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
  optimizer: PlainSGD(), learners: [TinyMLP()], configuration: MetaTrainingConfiguration(iterations: 1), seed: 1
).state.metaParameters.keys)
// Not run: restoringFrom() needs a checkpoint file; realDataBaseline() and
// metaTrainer() train for minutes.
