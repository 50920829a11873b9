extension MetaTrainer {
  /// The seed of learner `index` in an outer iteration whose seed is
  /// `outerSeed`: learner 0 keeps `outerSeed` (so one learner per iteration
  /// is the serial ``step(realImages:realLabels:)``), the others get
  /// well-mixed seeds of their own.
  ///
  /// Data-parallel loops number their learners globally (in a run on R
  /// ranks with L learners each, rank r's learners are r·L ..< (r+1)·L), so
  /// a run's learners are the same however they are spread over ranks and
  /// threads.
  ///
  /// - Complexity: O(1).
  public static func learnerSeed(outerSeed: UInt64, index: Int) -> UInt64 {
    precondition(index >= 0, "learnerSeed: index must be ≥ 0, got \(index)")
    guard index != 0 else { return outerSeed }
    var rng = SplitMix64(seed: outerSeed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
    return rng.next()
  }

  /// The meta-gradients of several learners, summed: learner `i` of
  /// `learners` is drawn from ``learnerSeed(outerSeed:index:)`` and takes
  /// the real batch `realBatch(i)`. The learners are trained concurrently
  /// (`Parallelism.forEachJob(_:_:)` of GTNAutodiff, sharing the task's
  /// thread count); their gradients are added in index order, so the sum
  /// does not depend on the thread count.
  ///
  /// ```swift
  /// let seed = trainer.nextOuterSeed()
  /// let sum = trainer.summedMetaGradient(learners: 0..<4, outerSeed: seed) { i in realBatches[i] }
  /// ```
  ///
  /// - Parameters:
  ///   - learners: The global indices of the learners.
  ///   - outerSeed: The outer iteration's seed (``nextOuterSeed()``).
  ///   - realBatch: Learner `i`'s real batch (called once per learner, in
  ///     order, before any training).
  /// - Returns: The sums of the meta-losses, of the real-batch accuracies
  ///   and of the meta-gradients (named like the meta-parameters), and each
  ///   learner's architecture index.
  /// - Complexity: `learners.count` meta-gradients, on up to
  ///   `Parallelism.threadCount` threads; memory grows with the number
  ///   running at once.
  public func summedMetaGradient(
    learners: Range<Int>, outerSeed: UInt64, realBatch: (Int) -> (images: Tensor, labels: [Int])
  ) -> (loss: Float, accuracy: Double, gradients: MetaParameters, learnerIndices: [Int]) {
    precondition(!learners.isEmpty && learners.lowerBound >= 0, "summedMetaGradient needs a non-empty range of indices ≥ 0, got \(learners)")
    let jobs = learners.map { index -> (seed: UInt64, images: Tensor, labels: [Int]) in
      let batch = realBatch(index)
      return (Self.learnerSeed(outerSeed: outerSeed, index: index), batch.images, batch.labels)
    }
    var results = [(loss: Float, accuracy: Double, gradients: MetaParameters, learnerIndex: Int)?](repeating: nil, count: jobs.count)
    results.withUnsafeMutableBufferPointer { slots in
      Parallelism.forEachJob(jobs.count) { j in
        let (learnerIndex, theta0) = sampleLearner(seed: jobs[j].seed)
        let result = metaGradient(
          learner: self.learners[learnerIndex], initialParameters: theta0, seed: jobs[j].seed,
          realImages: jobs[j].images, realLabels: jobs[j].labels)
        slots[j] = (result.loss, result.accuracy, result.gradients, learnerIndex)
      }
    }
    let done = results.map { $0! }
    var sum = done[0].gradients.tensors
    for result in done.dropFirst() {
      for (i, g) in result.gradients.tensors.enumerated() { sum[i].add(g) }
    }
    return (
      done.reduce(0) { $0 + $1.loss }, done.reduce(0) { $0 + $1.accuracy },
      state.metaParameters.replacingTensors(with: sum), done.map(\.learnerIndex)
    )
  }

  /// Runs one outer iteration on several learners at once and updates the
  /// meta-parameters with their mean meta-gradient — the data-parallel
  /// step of the paper, which averaged meta-gradients over many workers,
  /// here on the threads of one process.
  ///
  /// Learner `i` (of `0..<count`) is drawn from
  /// ``learnerSeed(outerSeed:index:)`` and takes `realBatch(i, iteration)`.
  /// With `count` 1 this is ``step(realImages:realLabels:)``; with `count`
  /// L it computes what `DistributedMetaTrainer` computes on L ranks.
  ///
  /// ```swift
  /// let result = try withParallelism(threads: 2) {
  ///   try trainer.step(learners: 2) { learner, iteration in realBatches(learner, iteration) }
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - count: The learners per iteration.
  ///   - realBatch: Learner `i`'s real batch at outer iteration `iteration`.
  /// - Returns: The mean meta-loss and real-batch accuracy, the mean
  ///   gradient's norm, and learner 0's architecture index.
  /// - Throws: ``MetaTrainingError/invalidArgument(name:reason:)`` for a
  ///   batch that does not fit the learners;
  ///   ``MetaTrainingError/nonFiniteMetaLoss(iteration:)`` when the mean
  ///   meta-loss or gradient is not finite (the meta-parameters are then
  ///   unchanged).
  public mutating func step(
    learners count: Int, realBatch: (_ learner: Int, _ iteration: Int) -> (images: Tensor, labels: [Int])
  ) throws -> StepResult {
    precondition(count >= 1, "step(learners:realBatch:) needs at least 1 learner, got \(count)")
    let iteration = state.iteration
    var batches: [(images: Tensor, labels: [Int])] = []
    for i in 0..<count {
      let batch = realBatch(i, iteration)
      try checkLabelledImages(batch.images, batch.labels, name: "realBatch(\(i), \(iteration))")
      batches.append(batch)
    }
    let seed = nextOuterSeed()
    let sum = summedMetaGradient(learners: 0..<count, outerSeed: seed) { batches[$0] }
    let n = Float(count)
    let mean = count == 1 ? sum.gradients : sum.gradients.replacingTensors(with: sum.gradients.tensors.map { $0 / n })
    let norm = try applyMetaGradient(mean, metaLoss: sum.loss / n)
    return StepResult(
      metaLoss: sum.loss / n, realBatchAccuracy: sum.accuracy / Double(count), gradientNorm: norm, learnerIndex: sum.learnerIndices[0])
  }
}
