import Foundation
import GTNCore

/// Data-parallel meta-training: every rank of a ``Communicator`` samples its
/// own learner and real batch, the meta-gradients are averaged over the
/// ranks, and every rank applies the same Adam update, so the shared state —
/// generator, curriculum, inner-optimiser hyper-parameters, Adam moments,
/// iteration, random stream — stays bit-identical on all ranks.
///
/// One outer iteration (``step(realBatch:)``), with L = ``learnersPerRank``:
/// 1. every rank draws the iteration's outer seed `s` from the shared stream
///    (`MetaTrainer.nextOuterSeed()`); learner `i` of the run (rank r has
///    `r·L ..< (r+1)·L`) gets the seed `s_i = rankSeed(s, i)` (learner 0
///    keeps `s`);
/// 2. learner `i` samples its architecture and θ₀ from `s_i` and takes the
///    real batch `realBatch(i, iteration)`;
/// 3. its meta-gradient `g_i` is computed as in the serial trainer, a rank's
///    L learners concurrently on its threads;
/// 4. `ḡ = (Σ_i g_i) / (R·L)` with one `MPI_Allreduce` of the ranks' sums
///    (the meta-losses and real-batch accuracies are averaged in the same
///    call);
/// 5. every rank applies `MetaTrainer.applyMetaGradient(_:metaLoss:)`
///    with `ḡ`.
///
/// With one rank this is exactly `MetaTrainer.step(learners:realBatch:)`
/// (and with one learner, `MetaTrainer.step(realImages:realLabels:)`).
/// Because the shared state does not depend on the number of ranks, a
/// checkpoint written by a run on R ranks resumes on any other number.
///
/// ```swift
/// let communicator = MPICommunicator.launchedOrSingleProcess()
/// var distributed = DistributedMetaTrainer(trainer: makeTrainer(), communicator: communicator)
/// try distributed.resume(from: checkpointURL)
/// while distributed.trainer.state.iteration < iterations {
///   let result = try distributed.step { rank, iteration in realBatch(rank: rank, iteration: iteration) }
///   if communicator.rank == 0 { print(result.metaLoss) }
///   try distributed.saveCheckpoint(to: checkpointURL)
/// }
/// ```
public struct DistributedMetaTrainer: Sendable {
  /// The wrapped trainer; its state is identical on every rank.
  public var trainer: MetaTrainer
  /// The ranks taking part.
  public let communicator: any Communicator
  /// Every this many iterations ``step(realBatch:)`` checks that the ranks'
  /// states are bit-identical (``verifyIdenticalState()``); 0 never checks.
  public var checksumInterval: Int
  /// The learners each rank trains per outer iteration, concurrently on its
  /// threads (`Parallelism.forEachJob(_:_:)`); the meta-gradient is the mean
  /// over all `R · learnersPerRank` learners. The learners are numbered
  /// globally, so R ranks with L learners each compute what one process
  /// with R·L learners computes.
  public var learnersPerRank: Int

  /// Wraps `trainer` and gives every rank rank 0's state (collective).
  ///
  /// - Parameters:
  ///   - trainer: A trainer built identically on every rank.
  ///   - communicator: The ranks.
  ///   - learnersPerRank: Learners per rank and outer iteration.
  ///   - checksumInterval: Iterations between state-identity checks.
  public init(trainer: MetaTrainer, communicator: any Communicator, learnersPerRank: Int = 1, checksumInterval: Int = 10) {
    precondition(checksumInterval >= 0, "checksumInterval must be ≥ 0, got \(checksumInterval)")
    precondition(learnersPerRank >= 1, "learnersPerRank must be ≥ 1, got \(learnersPerRank)")
    self.trainer = trainer
    self.communicator = communicator
    self.learnersPerRank = learnersPerRank
    self.checksumInterval = checksumInterval
    synchronizeState()
  }

  /// The result of one data-parallel outer iteration.
  public struct StepResult: Sendable {
    /// The meta-loss averaged over the ranks.
    public var metaLoss: Float
    /// The real-batch accuracy after the inner loop, averaged over ranks.
    public var realBatchAccuracy: Double
    /// The global L2 norm of the averaged meta-gradient before clipping.
    public var gradientNorm: Float
    /// The learner architecture of this rank's first learner.
    public var learnerIndex: Int
    /// This rank's own meta-loss (the mean over its learners).
    public var localMetaLoss: Float
    /// Wall-clock seconds this rank spent computing its own meta-gradient.
    public var computeSeconds: Double
    /// Wall-clock seconds this rank spent in the all-reduce, including
    /// waiting for slower ranks (0 with one rank).
    public var reductionSeconds: Double
  }

  /// Rank `rank`'s outer seed for the iteration whose shared seed is
  /// `base`: `base` itself for rank 0 (so one rank reproduces the serial
  /// trainer), a SplitMix64 draw from `base` mixed with the rank otherwise —
  /// `MetaTrainer.learnerSeed(outerSeed: base, index: rank)`.
  public static func rankSeed(base: UInt64, rank: Int) -> UInt64 {
    MetaTrainer.learnerSeed(outerSeed: base, index: rank)
  }

  /// Runs one outer iteration on every rank (collective).
  ///
  /// Each rank trains its ``learnersPerRank`` learners, numbered globally:
  /// rank r's are `r·L ..< (r+1)·L`, learner i drawn from
  /// `MetaTrainer.learnerSeed(outerSeed:index:)` with the iteration's shared
  /// seed and taking `realBatch(i, iteration)`.
  ///
  /// - Parameter realBatch: The real batch of learner `i` (with one learner
  ///   per rank: of rank `i`) at `iteration`; it should depend only on its
  ///   arguments (and the run's seed) so a resumed run sees the same
  ///   batches. It must not fail on one rank only; load data before
  ///   training.
  /// - Throws: `MetaTrainingError.nonFiniteMetaLoss(iteration:)` on every
  ///   rank alike when the averaged loss or gradient is not finite;
  ///   ``DistributedError/ranksDiverged(iteration:checksums:)`` when a
  ///   periodic check finds the ranks' states different.
  public mutating func step(realBatch: (_ learner: Int, _ iteration: Int) -> (images: Tensor, labels: [Int])) throws -> StepResult {
    let iteration = trainer.state.iteration
    let first = communicator.rank * learnersPerRank
    let outerSeed = trainer.nextOuterSeed()
    let clock = ContinuousClock()
    let started = clock.now
    let local = trainer.summedMetaGradient(learners: first..<(first + learnersPerRank), outerSeed: outerSeed) { realBatch($0, iteration) }
    let computed = clock.now
    let averaged = averaged(local.gradients, loss: local.loss, accuracy: local.accuracy, localCount: learnersPerRank)
    let reduced = clock.now
    let norm = try trainer.applyMetaGradient(averaged.gradients, metaLoss: averaged.loss)
    if checksumInterval > 0, trainer.state.iteration % checksumInterval == 0 {
      try verifyIdenticalState()
    }
    return StepResult(
      metaLoss: averaged.loss, realBatchAccuracy: averaged.accuracy, gradientNorm: norm, learnerIndex: local.learnerIndices[0],
      localMetaLoss: local.loss / Float(learnersPerRank), computeSeconds: (computed - started).inSeconds,
      reductionSeconds: (reduced - computed).inSeconds)
  }

  /// This rank's meta-gradient for one learner, seed and real batch,
  /// averaged over all ranks with one all-reduce (collective); nothing is
  /// updated.
  ///
  /// `ḡ = (Σ_r g_r) / R`; the meta-losses and accuracies are averaged the
  /// same way. When every rank passes the same learner, θ₀ and seed and
  /// equally sized real batches, `ḡ` is the meta-gradient of the combined
  /// batch (the meta-loss is a mean over the batch).
  ///
  /// - Returns: The averaged loss, accuracy and gradients (named like
  ///   `MetaTrainingState.metaParameters`), this rank's own loss, and the
  ///   seconds spent computing and in the all-reduce.
  public func averagedMetaGradient(
    learner: any Learner, initialParameters: [Tensor], seed: UInt64, realImages: Tensor, realLabels: [Int]
  ) -> (loss: Float, accuracy: Double, gradients: MetaParameters, localLoss: Float, computeSeconds: Double, reductionSeconds: Double) {
    let clock = ContinuousClock()
    let started = clock.now
    let local = trainer.metaGradient(
      learner: learner, initialParameters: initialParameters, seed: seed, realImages: realImages, realLabels: realLabels)
    let computed = clock.now
    let averaged = averaged(local.gradients, loss: local.loss, accuracy: local.accuracy, localCount: 1)
    let reduced = clock.now
    return (averaged.loss, averaged.accuracy, averaged.gradients, local.loss, (computed - started).inSeconds, (reduced - computed).inSeconds)
  }

  /// The mean over all ranks' learners of this rank's sums over its
  /// `localCount` learners (collective): one all-reduce of the gradients,
  /// the loss and the accuracy, then a division by `R · localCount`.
  private func averaged(
    _ gradients: MetaParameters, loss: Float, accuracy: Double, localCount: Int
  ) -> (loss: Float, accuracy: Double, gradients: MetaParameters) {
    let count = communicator.size * localCount
    guard count > 1 else { return (loss, accuracy, gradients) }
    let localGradients = gradients.tensors
    let total = localGradients.reduce(0) { $0 + $1.shape.reduce(1, *) }
    var buffer: [Float] = []
    buffer.reserveCapacity(total + 2)
    for g in localGradients { g.withUnsafeBufferPointer { buffer.append(contentsOf: $0) } }
    buffer.append(loss)
    buffer.append(Float(accuracy))
    if communicator.size > 1 { communicator.allreduceSum(&buffer) }
    let divisor = Float(count)
    for i in buffer.indices { buffer[i] /= divisor }
    var offset = 0
    let mean = gradients.replacingTensors(with: localGradients.map { g -> Tensor in
      let n = g.shape.reduce(1, *)
      defer { offset += n }
      return Tensor(shape: g.shape, scalars: buffer[offset..<(offset + n)])
    })
    let meanAccuracy = communicator.size > 1 ? Double(buffer[total + 1]) : accuracy / Double(localCount)
    return (buffer[total], meanAccuracy, mean)
  }

  /// Checks that every rank's state has the same `MetaTrainingState.checksum`
  /// (collective).
  ///
  /// - Throws: ``DistributedError/ranksDiverged(iteration:checksums:)``
  ///   on every rank when they differ.
  public func verifyIdenticalState() throws {
    let checksums = communicator.allgather(trainer.state.checksum)
    guard Set(checksums).count == 1 else {
      throw DistributedError.ranksDiverged(iteration: trainer.state.iteration, checksums: checksums)
    }
  }

  /// Replaces every rank's state by `root`'s (collective): all
  /// meta-parameters and Adam moments in one broadcast, then the iteration
  /// and the random stream.
  public mutating func synchronizeState(root: Int = 0) {
    guard communicator.size > 1 else { return }
    let state = trainer.state
    let tensors = state.metaParameters.tensors + state.outerOptimizerState.firstMoments + state.outerOptimizerState.secondMoments
    var buffer: [Float] = []
    for t in tensors { t.withUnsafeBufferPointer { buffer.append(contentsOf: $0) } }
    communicator.broadcast(&buffer, root: root)
    var offset = 0
    let received = tensors.map { t -> Tensor in
      let n = t.shape.reduce(1, *)
      defer { offset += n }
      return Tensor(shape: t.shape, scalars: buffer[offset..<(offset + n)])
    }
    let k = state.metaParameters.count
    trainer.state.metaParameters = state.metaParameters.replacingTensors(with: Array(received[0..<k]))
    trainer.state.outerOptimizerState = Adam.State(
      firstMoments: Array(received[k..<(2 * k)]), secondMoments: Array(received[(2 * k)...]),
      stepCount: Int(communicator.broadcast(UInt64(state.iteration), root: root)))
    trainer.state.rng = SplitMix64(seed: communicator.broadcast(state.rng.state, root: root))
  }

  /// Rank 0 writes the checkpoint (`MetaTrainer.saveCheckpoint(to:metadata:)`,
  /// atomic, with `gtn.ranks` added to the metadata); the others wait for
  /// it (collective).
  ///
  /// - Throws: Rank 0's error on rank 0;
  ///   ``DistributedError/rootFailed(operation:reason:)`` on the others.
  public func saveCheckpoint(to url: URL, metadata: [String: String] = [:]) throws {
    var failure: Error? = nil
    if communicator.rank == 0 {
      var info = metadata
      info["gtn.ranks"] = String(communicator.size)
      do { try trainer.saveCheckpoint(to: url, metadata: info) } catch { failure = error }
    }
    let message = communicator.broadcast(bytes: Array((failure.map { "\($0)" } ?? "").utf8))
    if let failure { throw failure }
    if !message.isEmpty {
      throw DistributedError.rootFailed(operation: "write checkpoint \(url.path)", reason: String(decoding: message, as: UTF8.self))
    }
  }

  /// Resumes from a checkpoint if rank 0 finds one at `url` (collective):
  /// rank 0 restores it and broadcasts the state, so the other ranks need
  /// not see the file. The checkpoint may come from a run with any number
  /// of ranks.
  ///
  /// - Returns: Whether a checkpoint was restored.
  /// - Throws: Rank 0's `CheckpointError` on rank 0;
  ///   ``DistributedError/rootFailed(operation:reason:)`` on the others.
  @discardableResult
  public mutating func resume(from url: URL) throws -> Bool {
    var failure: Error? = nil
    var restored = false
    if communicator.rank == 0, FileManager.default.fileExists(atPath: url.path) {
      do {
        try trainer.restoreCheckpoint(from: url)
        restored = true
      } catch { failure = error }
    }
    let message = communicator.broadcast(bytes: Array((failure.map { "\($0)" } ?? "").utf8))
    if let failure { throw failure }
    if !message.isEmpty {
      throw DistributedError.rootFailed(operation: "restore checkpoint \(url.path)", reason: String(decoding: message, as: UTF8.self))
    }
    restored = communicator.broadcast(restored ? 1 : 0) == 1
    synchronizeState()
    return restored
  }
}
