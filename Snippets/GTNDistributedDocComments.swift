// The samples in GTNDistributed's doc comments (`/// ```swift` blocks),
// compiled by `swift build` and checked against the sources by
// DocumentationSampleTests. Lines between `snippet.hide` and `snippet.show`
// set up what a sample takes as given. Run it directly (one process) or
// under `mpirun -np N`; it writes files, so nothing runs by default.

import Foundation
import GTNCore
import GTNDistributed
import GTNSearch

// snippet.hide
/// A cheap stand-in for a GTN proxy: the learner's parameter count, fewer is better.
struct SizeProxy: ArchitectureEvaluator {
  func score(_ learner: any Learner, seed: UInt64) -> Double { -Double(learner.parameterCount) }
}

func makeTrainer() -> MetaTrainer {
  try! MetaTrainer(
    generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
    optimizer: SGDWithMomentum(), learners: [Sequential.mlpLearner()],
    configuration: MetaTrainingConfiguration(iterations: 10), seed: 1)
}

/// A real batch for `rank` at `iteration`; every rank draws its own.
func realBatch(rank: Int, iteration: Int) -> (images: Tensor, labels: [Int]) {
  var rng = SplitMix64(seed: UInt64(rank * 1_000_003 + iteration))
  return (Tensor(randomNormal: [8, 1, 28, 28], using: &rng), (0..<8).map { $0 % 10 })
}
// snippet.show

// MARK: Search/DistributedSearch.swift

func distributedSearch() throws {
  // snippet.hide
  let (space, proxy) = (MacroSearchSpace(), SizeProxy())
  let logURL = URL(fileURLWithPath: "search.jsonl")
  // snippet.show
  let search = ArchitectureSearch(space: space, strategy: RandomSearch(), evaluator: proxy, seed: 7)
  let records = try DistributedSearch(search: search, communicator: MPICommunicator.launchedOrSingleProcess())
    .run(budget: .evaluations(200), log: logURL)
  // snippet.hide
  print(records.count)
}

// MARK: Training/DistributedMetaTrainer.swift

func distributedMetaTrainer() throws {
  // snippet.hide
  let checkpointURL = URL(fileURLWithPath: "gtn-output/checkpoint.safetensors")
  let iterations = 10
  // snippet.show
  let communicator = MPICommunicator.launchedOrSingleProcess()
  var distributed = DistributedMetaTrainer(trainer: makeTrainer(), communicator: communicator)
  try distributed.resume(from: checkpointURL)
  while distributed.trainer.state.iteration < iterations {
    let result = try distributed.step { rank, iteration in realBatch(rank: rank, iteration: iteration) }
    if communicator.rank == 0 { print(result.metaLoss) }
    try distributed.saveCheckpoint(to: checkpointURL)
  }
}
