// The samples of GTNCore.docc/BringYourOwnLearner.md, compiled by
// `swift build` and checked against the article by DocumentationSampleTests.

import GTNCore

/// A residual MLP: x → Linear → LReLU → (+ x) → Linear.
struct ResidualMLP: Learner {
  let width = 128
  var parameterCount: Int { 6 }

  func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    Linear(784, width).makeParameters(using: &generator)
      + Linear(width, width).makeParameters(using: &generator)
      + Linear(width, 10).makeParameters(using: &generator)
  }

  func callAsFunction(_ x: Variable, parameters: ArraySlice<Variable>) -> Variable {
    let p = Array(parameters)
    let h = Linear(784, width)(x.flattenedBatch(), parameters: p[0..<2]).leakyRelu(slope: 0.1)
    let r = Linear(width, width)(h, parameters: p[2..<4]).leakyRelu(slope: 0.1) + h
    return Linear(width, 10)(r, parameters: p[4..<6])
  }
}

let learner = Sequential(
  Conv2D(1, 32), MaxPool2D(), BatchNorm(32, meanOnly: true), LeakyReLU(0.1),
  Flatten(), Linear(32 * 14 * 14, 10))

/// Swish (SiLU): x · σ(x).
struct Swish: Layer {
  func callAsFunction(_ x: Variable, parameters: ArraySlice<Variable>) -> Variable {
    x * x.sigmoid()
  }
}

/// A 784-64-32-10 swish MLP that meta-trains well.
let swishMLP = Sequential(
  Flatten(),
  Linear(784, 64), BatchNorm(64, meanOnly: true), Swish(),
  Linear(64, 32), BatchNorm(32, meanOnly: true), Swish(),
  Linear(32, 10))

// snippet.hide
let trainer = try MetaTrainer(
  generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
  optimizer: SGDWithMomentum(), learners: [ResidualMLP(), learner, swishMLP],
  configuration: MetaTrainingConfiguration(iterations: 1), seed: 1)
print(trainer.learners.count)
var random = SplitMix64(seed: 0)
let logits = swishMLP(Variable(Tensor(zeros: [2, 1, 28, 28])), parameters: swishMLP.makeParameters(using: &random).map { Variable($0) }[...])
print(logits.shape)
