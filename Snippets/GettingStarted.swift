// The sample of GTNCore.docc/GettingStarted.md, compiled by `swift build`
// and checked against the article by DocumentationSampleTests. It needs MNIST
// (see GTNData's LoadingDatasets) and runs the article's 600 outer iterations.

import GTNCore
import GTNData

let train = try Dataset.mnist(split: .train, normalization: .minusOneToOne)
let test = try Dataset.mnist(split: .test, normalization: .minusOneToOne)
var trainer = try MetaTrainer(
  generator: ConditionalGenerator.mlp(),
  curriculum: LearnedCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64),
  optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.5, stepCount: 32, perStep: true),
  learners: [Sequential.mlpLearner()],
  configuration: MetaTrainingConfiguration(iterations: 600, learningRate: 0.01),
  seed: 1)
var rng = SplitMix64(seed: 2)
for _ in 0..<600 {
  let batch = train.batch(at: (0..<128).map { _ in Int.random(in: 0..<train.count, using: &rng) })
  _ = try trainer.step(realImages: batch.images, realLabels: batch.labels)
}
let accuracy = try trainer.evaluate(
  learner: Sequential.mlpLearner(), stepCounts: [32], seeds: [1, 2, 3],
  testImages: test.images, testLabels: test.labels)
print(accuracy[32]!)   // mean ± std over three fresh learners
