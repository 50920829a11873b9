// The sample of GTNSearch.docc/GTNSearch.md, compiled by `swift build` and
// checked against the article by DocumentationSampleTests.

// snippet.hide
import GTNCore

var rng = SplitMix64(seed: 1)
let trainedGTN = try MetaTrainer(
  generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
  optimizer: SGDWithMomentum(), learners: [Sequential.mlpLearner()],
  configuration: MetaTrainingConfiguration(iterations: 1), seed: 1)
let validation = (images: Tensor(randomNormal: [16, 1, 28, 28], using: &rng), labels: (0..<16).map { $0 % 10 })
// snippet.show

import Foundation
import GTNSearch

let space = MacroSearchSpace()
let proxy = GTNProxy(trainer: trainedGTN, steps: 128,
                     validationImages: validation.images, validationLabels: validation.labels)
let search = ArchitectureSearch(space: space, strategy: RegularizedEvolution(), evaluator: proxy, seed: 1)
let records = try search.run(budget: .seconds(3600), log: URL(fileURLWithPath: "search.jsonl"))
print(records.max { $0.score < $1.score }!.encoding)
