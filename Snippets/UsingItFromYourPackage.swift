// The sample of the README's "Using it from your package", compiled by
// `swift build` and checked against the README by DocumentationSampleTests.
// It needs MNIST (see GTNData's LoadingDatasets) and runs 500 outer
// iterations.

import Foundation
import GTNCore
import GTNData

let train = try Dataset.mnist(split: .train, normalization: .minusOneToOne)
var trainer = try MetaTrainer(
  generator: ConditionalGenerator.mlp(),
  curriculum: LearnedCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64),
  optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.5, stepCount: 32, perStep: true),
  learners: [Sequential.mlpLearner()],
  configuration: MetaTrainingConfiguration(iterations: 500, learningRate: 0.01),
  seed: 1)
var rng = SplitMix64(seed: 2)
for _ in 0..<500 {
  let batch = train.batch(at: (0..<128).map { _ in Int.random(in: 0..<train.count, using: &rng) })
  let result = try trainer.step(realImages: batch.images, realLabels: batch.labels)
  print(result.metaLoss)
}

// The learned curriculum as a Dataset, and written for NumPy with its schedule.
let samples = trainer.syntheticData().dataset(classNames: train.classNames)
print(samples.count)   // 32 × 128
let export = try SyntheticDataExport(trainer: trainer, classNames: train.classNames)
try export.write(.npy, to: URL(fileURLWithPath: "gtn-samples"))   // images.npy, labels.npy, schedule.json
