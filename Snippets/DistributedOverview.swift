// The sample of GTNDistributed.docc/GTNDistributed.md, compiled by
// `swift build` and checked against the article by DocumentationSampleTests.
// Run it directly (one process) or under `mpirun -np N`.

// snippet.hide
import Foundation
import GTNCore

let trainer = try MetaTrainer(
  generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
  optimizer: SGDWithMomentum(), learners: [Sequential.mlpLearner()],
  configuration: MetaTrainingConfiguration(iterations: 2000), seed: 1)
let checkpoint = URL(fileURLWithPath: "gtn-output/checkpoint.safetensors")

/// A real batch for `rank` at `iteration`; every rank draws its own.
func realBatch(rank: Int, iteration: Int) -> (images: Tensor, labels: [Int]) {
  var rng = SplitMix64(seed: UInt64(rank * 1_000_003 + iteration))
  return (Tensor(randomNormal: [8, 1, 28, 28], using: &rng), (0..<8).map { $0 % 10 })
}
// snippet.show

import GTNDistributed

let communicator = MPICommunicator.launchedOrSingleProcess()
var distributed = DistributedMetaTrainer(trainer: trainer, communicator: communicator)
try distributed.resume(from: checkpoint)
while distributed.trainer.state.iteration < 2000 {
  let result = try distributed.step { rank, iteration in realBatch(rank: rank, iteration: iteration) }
  if communicator.rank == 0 { print(result.metaLoss) }
  try distributed.saveCheckpoint(to: checkpoint)
}
