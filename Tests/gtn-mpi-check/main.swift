// gtn-mpi-check — the multi-rank checks of GTNDistributed, run under
// `mpirun -np 2` (or more) by CI:
//   1. averaged meta-gradients equal the single-process meta-gradient of the
//      combined batch;
//   2. data-parallel training keeps the ranks bit-identical and equals the
//      serial computation of the same per-rank gradients (2 ranks), and R
//      ranks of 2 learners equal one process of 2R learners;
//   3. a checkpoint resumes on a different number of ranks;
//   4. a distributed search returns the serial search's records (random
//      search and regularised evolution, with resume from the log);
//   5. the ensemble evaluation agrees on all ranks.
// Exits 1 on any failure (every rank reaches the same verdict), 2 when
// started with fewer than 2 ranks.

import Foundation
import GTNCore
import GTNDistributed
import GTNSearch

let world = MPICommunicator.world
let rank = world.rank
var failures = 0

func say(_ message: String) {
  if rank == 0 { FileHandle.standardError.write(Data("gtn-mpi-check: \(message)\n".utf8)) }
}

/// Records a check that passed only if it passed on every rank.
@MainActor func check(_ name: String, _ passedHere: Bool, _ detail: @autoclosure () -> String = "") {
  let all = world.allgather(passedHere ? 1 : 0)
  if all.allSatisfy({ $0 == 1 }) {
    say("ok    \(name)")
  } else {
    failures += 1
    let ranks = all.enumerated().filter { $0.element == 0 }.map { String($0.offset) }.joined(separator: ",")
    if !passedHere { FileHandle.standardError.write(Data("gtn-mpi-check: rank \(rank): FAIL \(name) \(detail())\n".utf8)) }
    say("FAIL  \(name) (ranks \(ranks))")
  }
}

guard world.size >= 2 else {
  FileHandle.standardError.write(Data("gtn-mpi-check: run under mpirun with at least 2 ranks (got \(world.size))\n".utf8))
  exit(2)
}
BLASRuntime.threadCount = 1

/// A tiny GTN: MLP generator, tanh MLP learner(s), 4×4 images, 3 classes.
func tinyTrainer(steps: Int = 4, learners: Int = 2) -> MetaTrainer {
  let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 8), Tanh(), Linear(8, 16), Tanh(), Reshape([1, 4, 4])))
  let architectures = (0..<learners).map { k in Sequential(Flatten(), Linear(16, 4 + k), Tanh(), Linear(4 + k, 3)) }
  // The components fit by construction.
  return try! MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: steps, batchSize: 6, noiseSize: 3, classCount: 3),
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: steps, perStep: true),
    learners: architectures, configuration: MetaTrainingConfiguration(iterations: 20, learningRate: 0.01), seed: 5)
}

/// A fixed labelled pool; rank r's batch at iteration i is a function of (r, i).
let poolImages = { () -> Tensor in var g = SplitMix64(seed: 99); return Tensor(randomNormal: [64, 1, 4, 4], using: &g) }()
let poolLabels = (0..<64).map { ($0 * 7) % 3 }
func realBatch(rank: Int, iteration: Int) -> (images: Tensor, labels: [Int]) {
  let start = (rank * 13 + iteration * 5) % 56
  return (poolImages.slice(alongAxis: 0, start..<(start + 8)), Array(poolLabels[start..<(start + 8)]))
}

func maxDifference(_ a: [Tensor], _ b: [Tensor]) -> (difference: Float, scale: Float) {
  var difference: Float = 0
  var scale: Float = 0
  for (x, y) in zip(a, b) {
    for (u, v) in zip(x.scalars, y.scalars) {
      difference = max(difference, abs(u - v))
      scale = max(scale, abs(v))
    }
  }
  return (difference, scale)
}

// 1. Averaged meta-gradient = gradient of the combined batch.
do {
  let distributed = DistributedMetaTrainer(trainer: tinyTrainer(learners: 1), communicator: world)
  var g = SplitMix64(seed: 3)
  let learner = distributed.trainer.learners[0]
  let theta0 = learner.makeParameters(using: &g)
  let perRank = 8
  let combinedImages = poolImages.slice(alongAxis: 0, 0..<(perRank * world.size))
  let combinedLabels = Array(poolLabels[0..<(perRank * world.size)])
  let mine = rank * perRank..<((rank + 1) * perRank)
  let averaged = distributed.averagedMetaGradient(
    learner: learner, initialParameters: theta0, seed: 17,
    realImages: poolImages.slice(alongAxis: 0, mine), realLabels: Array(poolLabels[mine]))
  let serial = distributed.trainer.metaGradient(
    learner: learner, initialParameters: theta0, seed: 17, realImages: combinedImages, realLabels: combinedLabels)
  let (difference, scale) = maxDifference(averaged.gradients.tensors, serial.gradients.tensors)
  check("averaged meta-gradient equals the combined batch's (max |Δ| \(difference), max |g| \(scale))",
        difference <= 1e-5 * max(1, scale) && abs(averaged.loss - serial.loss) <= 1e-5 * max(1, abs(serial.loss)),
        "max |Δg| \(difference), loss \(averaged.loss) vs \(serial.loss)")
}

// 2. Ranks stay bit-identical; with 2 ranks the state equals the serial
//    computation of both ranks' gradients, averaged.
do {
  var distributed = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: world, checksumInterval: 1)
  var reference = tinyTrainer()
  var diverged: DistributedError? = nil
  var learnersUsed = Set<Int>()
  for _ in 0..<6 {
    do {
      let result = try distributed.step { realBatch(rank: $0, iteration: $1) }
      learnersUsed.insert(result.learnerIndex)
    } catch let error as DistributedError { diverged = error; break }
    // Serial emulation of the same iteration.
    let base = reference.nextOuterSeed()
    var sum: [Tensor]? = nil
    var lossSum: Float = 0
    for r in 0..<world.size {
      let seed = DistributedMetaTrainer.rankSeed(base: base, rank: r)
      let (index, theta0) = reference.sampleLearner(seed: seed)
      let batch = realBatch(rank: r, iteration: reference.state.iteration)
      let local = reference.metaGradient(learner: reference.learners[index], initialParameters: theta0, seed: seed,
                                         realImages: batch.images, realLabels: batch.labels)
      lossSum += local.loss
      sum = sum.map { zip($0, local.gradients.tensors).map { a, b in Tensor(shape: a.shape, scalars: zip(a.scalars, b.scalars).map { $0 + $1 }) } } ?? local.gradients.tensors
    }
    let mean = sum!.map { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 / Float(world.size) }) }
    _ = try reference.applyMetaGradient(reference.state.metaParameters.replacingTensors(with: mean), metaLoss: lossSum / Float(world.size))
  }
  let checksums = world.allgather(distributed.trainer.state.checksum)
  check("ranks bit-identical after 6 steps (checksum every step)", diverged == nil && Set(checksums).count == 1, "\(String(describing: diverged))")
  if world.size == 2 {
    check("2-rank state equals the serial average of both ranks' gradients", distributed.trainer.state == reference.state)
  } else {
    let (difference, scale) = maxDifference(distributed.trainer.state.metaParameters.tensors, reference.state.metaParameters.tensors)
    check("state matches the serial average of all ranks' gradients (max |Δ| \(difference))", difference <= 1e-5 * max(1, scale))
  }
}

// 2b. Learners are numbered over the run: R ranks of 2 learners each compute
//     what one process computes with 2R learners (up to the order in which
//     the four gradients are added).
do {
  var distributed = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: world, learnersPerRank: 2, checksumInterval: 1)
  var single = tinyTrainer()
  var lossesAgree = true
  for _ in 0..<3 {
    let a = try distributed.step { realBatch(rank: $0, iteration: $1) }
    let b = try withParallelism(threads: 2) { try single.step(learners: 2 * world.size) { realBatch(rank: $0, iteration: $1) } }
    lossesAgree = lossesAgree && abs(a.metaLoss - b.metaLoss) <= 1e-5 * max(1, abs(b.metaLoss))
  }
  let (difference, scale) = maxDifference(distributed.trainer.state.metaParameters.tensors, single.state.metaParameters.tensors)
  check("\(world.size) ranks × 2 learners equal one process with \(2 * world.size) learners (max |Δ| \(difference))",
        lossesAgree && difference <= 1e-5 * max(1, scale) && distributed.trainer.state.iteration == single.state.iteration)
}

// 3. Resume on a different number of ranks.
do {
  let directory = String(decoding: world.broadcast(bytes: Array(
    FileManager.default.temporaryDirectory.appendingPathComponent("gtn-mpi-check-\(UInt64.random(in: 0...UInt64.max))").path.utf8)), as: UTF8.self)
  if rank == 0 { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
  let fromWorld = URL(fileURLWithPath: directory).appendingPathComponent("world.safetensors")
  let fromOne = URL(fileURLWithPath: directory).appendingPathComponent("one.safetensors")

  // R ranks → 1 rank: rank 0 alone continues like the serial trainer.
  var distributed = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: world)
  for _ in 0..<3 { _ = try distributed.step { realBatch(rank: $0, iteration: $1) } }
  try distributed.saveCheckpoint(to: fromWorld)
  let alone = world.split(color: rank == 0 ? 0 : 1, key: rank)
  var ok = true
  if rank == 0 {
    var resumed = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: alone)
    ok = try resumed.resume(from: fromWorld) && resumed.trainer.state == distributed.trainer.state
    var serial = tinyTrainer()
    try serial.restoreCheckpoint(from: fromWorld)
    for _ in 0..<2 {
      _ = try resumed.step { realBatch(rank: $0, iteration: $1) }
      let batch = realBatch(rank: 0, iteration: serial.state.iteration)
      _ = try serial.step(realImages: batch.images, realLabels: batch.labels)
    }
    ok = ok && resumed.trainer.state == serial.state && resumed.trainer.state.iteration == 5
    // …and writes a checkpoint as a 1-rank run.
    try resumed.saveCheckpoint(to: fromOne)
  }
  check("a \(world.size)-rank checkpoint resumes on 1 rank exactly like the serial trainer", ok)

  // 1 rank → R ranks: every rank gets the state, iterations continue.
  var widened = DistributedMetaTrainer(trainer: tinyTrainer(), communicator: world, checksumInterval: 1)
  let restored = try widened.resume(from: fromOne)
  let start = widened.trainer.state.iteration
  for _ in 0..<2 { _ = try widened.step { realBatch(rank: $0, iteration: $1) } }
  check("a 1-rank checkpoint resumes on \(world.size) ranks (iteration 5 → 7, ranks identical)",
        restored && start == 5 && widened.trainer.state.iteration == 7)
  world.barrier()
  if rank == 0 { try? FileManager.default.removeItem(atPath: directory) }
}

// 4. Distributed search = serial search.
/// Deterministic scores from the learner's size and the seed; candidates
/// take uneven time (0–30 ms) so ranks finish out of order.
struct UnevenScore: ArchitectureEvaluator {
  func score(_ learner: any Learner, seed: UInt64) -> Double {
    usleep(UInt32(seed % 4) * 10_000)
    return Double(learner.parameterCount % 9973) + Double(seed % 1000) * 1e-4
  }
}
do {
  let space = MacroSearchSpace()
  func same<A>(_ a: [SearchRecord<A>], _ b: [SearchRecord<A>]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy {
      $0.index == $1.index && $0.encoding == $1.encoding && $0.architecture == $1.architecture && $0.score.bitPattern == $1.score.bitPattern
    }
  }
  let random = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: UnevenScore(), seed: 21)
  let serialRandom = try random.run(budget: .evaluations(14))
  let distributedRandom = try DistributedSearch(search: random, communicator: world).run(budget: .evaluations(14))
  check("distributed random search returns the serial records", same(serialRandom, distributedRandom))

  let evolution = ArchitectureSearch(
    space: space, strategy: RegularizedEvolution<MacroSearchSpace>(populationSize: 5, sampleSize: 2), evaluator: UnevenScore(), seed: 22)
  let serialEvolution = try evolution.run(budget: .evaluations(12))
  let log = String(decoding: world.broadcast(bytes: Array(
    FileManager.default.temporaryDirectory.appendingPathComponent("gtn-mpi-check-\(UInt64.random(in: 0...UInt64.max)).jsonl").path.utf8)), as: UTF8.self)
  let logURL = URL(fileURLWithPath: log)
  let firstPart = try DistributedSearch(search: evolution, communicator: world).run(budget: .evaluations(7), log: logURL)
  var inOrder: [Int] = []
  let resumed = try DistributedSearch(search: evolution, communicator: world).run(budget: .evaluations(12), log: logURL) {
    inOrder.append($0.index)
  }
  let logged = rank == 0 ? try ArchitectureSearch<RegularizedEvolution<MacroSearchSpace>>.readLog(logURL) : resumed
  check("distributed regularised evolution, interrupted at 7 and resumed from its log, returns the serial records",
        firstPart.count == 7 && same(serialEvolution, resumed) && same(serialEvolution, logged)
          && (rank != 0 || inOrder == Array(7..<12)))
  if rank == 0 { try? FileManager.default.removeItem(at: logURL) }
}

// 5. Ensemble evaluation is collective and agrees on all ranks.
do {
  var distributed = DistributedMetaTrainer(trainer: tinyTrainer(learners: 1), communicator: world)
  for _ in 0..<2 { _ = try distributed.step { realBatch(rank: $0, iteration: $1) } }
  let evaluation = distributed.evaluateEnsemble(
    learner: distributed.trainer.learners[0], steps: 4, seed: 1000, testImages: poolImages, testLabels: poolLabels)
  let ensembles = world.allgather(evaluation.ensembleAccuracy)
  let mine = world.allgather(evaluation.learnerAccuracies[rank])
  check("ensemble evaluation: \(world.size) learner accuracies, the same ensemble accuracy on every rank",
        evaluation.learnerAccuracies.count == world.size && Set(ensembles.map(\.bitPattern)).count == 1
          && mine == evaluation.learnerAccuracies && (0...1).contains(evaluation.ensembleAccuracy))
}

say(failures == 0 ? "all checks passed on \(world.size) ranks" : "\(failures) check(s) failed")
exit(failures == 0 ? 0 : 1)
