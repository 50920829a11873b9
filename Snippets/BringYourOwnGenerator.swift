// The samples of GTNCore.docc/BringYourOwnGenerator.md, compiled by
// `swift build` and checked against the article by DocumentationSampleTests.

import GTNCore

/// Class prototypes plus a learned, input-dependent residual.
struct PrototypeGenerator: Generator {
  var noiseSize = 32
  var parameterCount: Int { 3 }

  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    [Tensor(randomNormal: [10, 784], standardDeviation: 0.1, using: &generator)]
      + Linear(noiseSize, 784).makeParameters(using: &generator)
  }

  func callAsFunction(_ inputs: Variable, targets: Variable, parameters: ArraySlice<Variable>) -> Variable {
    let p = Array(parameters)
    let prototypes = matmul(targets, p[0])                     // [B, 784]
    let residual = Linear(noiseSize, 784)(inputs, parameters: p[1..<3])
    return (prototypes + residual).tanh().reshaped(to: [inputs.shape[0], 1, 28, 28])
  }
}

extension PrototypeGenerator {
  var generatesSamplesIndependently: Bool { true }
}

// snippet.hide
let trainer = try MetaTrainer(
  generator: PrototypeGenerator(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 32),
  optimizer: SGDWithMomentum(), learners: [Sequential.mlpLearner()],
  configuration: MetaTrainingConfiguration(iterations: 1), seed: 1)
print(trainer.syntheticBatches()[0].images.shape)   // [8, 1, 28, 28]
