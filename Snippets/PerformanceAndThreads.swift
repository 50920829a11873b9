// The sample of GTNAutodiff.docc/PerformanceAndThreads.md, compiled by
// `swift build` and checked against the article by DocumentationSampleTests.

// snippet.hide
import GTNCore

var rng = SplitMix64(seed: 1)
var trainer = try MetaTrainer(
  generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
  optimizer: SGDWithMomentum(), learners: [Sequential.mlpLearner()],
  configuration: MetaTrainingConfiguration(iterations: 1), seed: 1)
let images = Tensor(randomNormal: [8, 1, 28, 28], using: &rng)
let labels = (0..<8).map { $0 % 10 }
// snippet.show

BLASRuntime.threadCount = 1
let result = try withParallelism(threads: 2) {
  try trainer.step(realImages: images, realLabels: labels)
}

// snippet.hide
print(result.metaLoss)
