import Dispatch

/// How many threads this package's own kernels may use, as a scoped setting.
///
/// Convolutions split their batch into shares of images, each run by one
/// single-threaded oneDNN or BLAS call; large matrix products split their
/// result, large elementwise kernels, gathers and max pooling their
/// elements. The shares run on this many of `WorkerPool`'s threads, which
/// spin between jobs, so even 20 µs kernels split profitably; there are up
/// to four shares per thread, and each thread claims the next one when it
/// finishes one, so a thread that runs slower takes fewer. This beats
/// multi-threaded BLAS, which parallelises inside each small product (and,
/// called from these threads, oversubscribes the cores: W2 and W3 of the
/// benchmarks lose 35–45% with two BLAS threads; W1, all matrix products,
/// runs 0.025–0.029 s per step this way against 0.028–0.034 s with two BLAS
/// threads and serial kernels).
/// The setting is task-local: it applies to the code inside
/// ``withParallelism(threads:_:)`` and to tasks it creates.
///
/// ```swift
/// BLASRuntime.threadCount = 1
/// let result = try withParallelism(threads: 2) { try trainer.step(realImages: x, realLabels: y) }
/// ```
public enum Parallelism {
  /// The number of threads kernels may use in the current task (1: serial).
  @TaskLocal public static var threadCount: Int = 1

  /// Runs `body` on `0..<count` split into contiguous chunks of at least
  /// `minimumChunk` items (all of it at once on one thread), at most
  /// ``sharesPerThread`` per thread, which the threads claim one after
  /// another, and waits for all of them.
  static func forEachChunk(of count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let shares = threadCount == 1 ? 1 : Swift.max(1, Swift.min(threadCount * sharesPerThread, count / Swift.max(1, minimumChunk)))
    forEachShare(shares, of: count) { _, range in body(range) }
  }

  /// How many shares a split aims for per thread. A thread claims the next
  /// share when it finishes one, so with several shares each a thread that
  /// runs slower for a while — on virtual machines one vCPU often does —
  /// runs fewer of them instead of keeping the others waiting; more shares
  /// make smaller calls (W4's convolutions: 16 images each for a batch of
  /// 128 on two threads).
  static let sharesPerThread = 4

  /// Elements per share below which splitting an elementwise kernel costs
  /// more (handing a share to a spinning worker is about a microsecond,
  /// plus the caches it runs cold on) than it saves. W1 with 2 threads:
  /// 0.0234 s per step at 2¹³, 0.0241 at 2¹⁵, 0.0243 at 2¹¹.
  static let minimumElementsPerShare = 1 << 13

  /// Multiply-adds below which a matrix product stays one sgemm call. With
  /// the workers spinning between jobs (`WorkerPool`) the W1 meta-step's
  /// 64×784×128 learner products (6.4·10⁶) gain from splitting:
  /// 0.025–0.029 s per step at 2²² against 0.028–0.031 at 2²⁰ and
  /// 0.030–0.031 at 2²⁴ (2 threads).
  static let minimumMultiplyAddsToSplit = 1 << 22

  /// The most partial sums a reduction splits into.
  static let maximumReductionShares = 8

  /// The blocks a large float32 matrix product splits into, whatever the
  /// number of threads, where OpenBLAS's kernel sums a block in another
  /// order than the whole product. Two keep W1 on two threads as fast as one
  /// block per thread; four made it 1.35 times as slow (each block packs the
  /// shared operand again).
  static let fixedProductBlocks = 2

  /// Into how many partial sums a reduction over `elements` elements in
  /// `pieces` independent pieces (e.g. images, slices) splits: a function of
  /// the sizes alone, never of the thread count, so that a reduction adds
  /// the same partial sums in the same order on any number of threads and
  /// results are bit-identical for every ``threadCount``. 1 below two
  /// shares' worth of elements.
  static func reductionShareCount(elements: Int, pieces: Int = .max) -> Int {
    guard elements >= 2 * minimumElementsPerShare else { return 1 }
    return Swift.max(1, Swift.min(maximumReductionShares, pieces, elements / minimumElementsPerShare))
  }

  /// Runs the `shares` partial sums of a reduction over `0..<count` (share
  /// `s` covers the same range whatever the thread count) on at most
  /// ``threadCount`` threads, each claiming the next share when it finishes
  /// one.
  static func forEachReductionShare(_ shares: Int, of count: Int, _ body: (Int, Range<Int>) -> Void) {
    let range = { (share: Int) in (count * share / shares)..<(count * (share + 1) / shares) }
    guard threadCount > 1, shares > 1 else {
      for share in 0..<shares { body(share, range(share)) }
      return
    }
    forEachShare(shares, of: shares) { share, _ in body(share, range(share)) }
  }

  /// Runs an elementwise kernel's `body` over `0..<count`: serially for
  /// small counts, else in contiguous chunks that the threads claim
  /// (``shareCount(elements:pieces:perThread:)`` of them).
  @inline(__always)
  static func forEachElementChunk(of count: Int, _ body: (Range<Int>) -> Void) {
    forEachShare(shareCount(elements: count), of: count) { _, range in body(range) }
  }

  /// Elements per share below which a kernel gets no more shares than
  /// threads: claiming and starting a share costs about a microsecond, which
  /// W1's many small kernels (50,000 elements) felt with four shares per
  /// thread and W4's large ones (1.6 million) do not.
  static let minimumElementsPerExtraShare = 1 << 16

  /// How many shares a kernel over `elements` elements, made of `pieces`
  /// independent pieces (planes, rows, slices), is worth splitting into:
  /// 1 (serial) on one thread or below two shares' worth of elements, else
  /// one per thread and per ``minimumElementsPerShare`` elements, or up to
  /// `perThread` per thread (``sharesPerThread`` unless said) of
  /// ``minimumElementsPerExtraShare`` elements each, at most one per piece.
  static func shareCount(elements: Int, pieces: Int = .max, perThread: Int = sharesPerThread) -> Int {
    guard threadCount > 1, elements >= 2 * minimumElementsPerShare else { return 1 }
    let perThreadShares = Swift.min(threadCount, elements / minimumElementsPerShare)
    let extraShares = Swift.min(threadCount * perThread, elements / minimumElementsPerExtraShare)
    return Swift.max(1, Swift.min(pieces, Swift.max(perThreadShares, extraShares)))
  }

  /// Runs `body(i)` for every `i` in `0..<count` — independent jobs such as
  /// the meta-gradients of several learners — concurrently, and waits for
  /// all of them.
  ///
  /// The current task's ``threadCount`` is shared out: with `count` ≥
  /// `threadCount` the jobs run on `threadCount` threads with serial
  /// kernels, each thread starting the next job not yet started when it
  /// finishes one; with fewer jobs than threads each job's kernels get
  /// `threadCount / count` threads. The caller's scoped settings (precision,
  /// convolution backend) hold in every job. Kernels give bit-identical
  /// results for every thread count, so what each job computes does not
  /// depend on how the jobs are spread.
  ///
  /// ```swift
  /// var norms = [Double](repeating: 0, count: tensors.count)
  /// norms.withUnsafeMutableBufferPointer { slots in
  ///   Parallelism.forEachJob(tensors.count) { i in slots[i] = tensors[i].sumOfSquares() }  // disjoint writes
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - count: The number of jobs.
  ///   - body: A job; jobs must not write to shared state (each may write
  ///     its own slot of a buffer).
  public static func forEachJob(_ count: Int, _ body: (Int) -> Void) {
    precondition(count >= 0, "forEachJob needs count ≥ 0, got \(count)")
    let groups = Swift.min(threadCount, count)
    guard groups > 1 else {
      for job in 0..<count { body(job) }
      return
    }
    forEachShare(count, of: count, threadsPerShare: Swift.max(1, threadCount / count)) { job, _ in body(job) }
  }

  /// Splits `0..<count` into `shares` contiguous ranges and runs
  /// `body(share, range)` for each, concurrently when `shares > 1` (the
  /// threads claim the shares one after another), with serial kernels
  /// inside each share.
  static func forEachShare(_ shares: Int, of count: Int, _ body: (Int, Range<Int>) -> Void) {
    forEachShare(shares, of: count, threadsPerShare: 1, body)
  }

  /// ``forEachShare(_:of:_:)`` with `threadsPerShare` threads for the
  /// kernels inside each share, on `threadCount / threadsPerShare` threads.
  static func forEachShare(_ shares: Int, of count: Int, threadsPerShare: Int, _ body: (Int, Range<Int>) -> Void) {
    guard shares > 1 else {
      body(0, 0..<count)
      return
    }
    let threads = Swift.max(1, Swift.min(shares, threadCount / threadsPerShare))
    // The shares touch disjoint data by contract, which the type system
    // cannot see through the raw buffers the kernels capture.
    withoutActuallyEscaping(body) { body in
      let work = UncheckedSendable(body)
      // Kernels called inside a share run serially unless the share is
      // given threads (the calling thread's share would otherwise still see
      // the task's thread count). The caller's scoped settings hold on
      // every worker.
      // The settings are bound once per thread, around all of the shares it
      // claims.
      let (backend, precision) = (ConvolutionBackend.current, Precision.current)
      let runShares = { @Sendable (claim: () -> Int?) in
        ConvolutionBackend.$current.withValue(backend) {
          Precision.$current.withValue(precision) {
            $threadCount.withValue(threadsPerShare) {
              while let share = claim() {
                work.value(share, (count * share / shares)..<(count * (share + 1) / shares))
              }
            }
          }
        }
      }
      guard threads > 1 else {
        var next = 0
        runShares {
          defer { next += 1 }
          return next < shares ? next : nil
        }
        return
      }
      #if canImport(Glibc)
      if WorkerPool.shared.run(shares: shares, threads: threads, runShares) { return }
      #endif
      DispatchQueue.concurrentPerform(iterations: shares) { share in
        var claimed = false
        runShares {
          defer { claimed = true }
          return claimed ? nil : share
        }
      }
    }
  }
}

/// Runs `body` with the package's kernels allowed to use `threads` threads.
public func withParallelism<R>(threads: Int, _ body: () throws -> R) rethrows -> R {
  precondition(threads >= 1, "withParallelism needs threads ≥ 1, got \(threads)")
  return try Parallelism.$threadCount.withValue(threads, operation: body)
}

/// A value handed to concurrent workers whose thread safety the caller
/// guarantees (disjoint writes).
private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
