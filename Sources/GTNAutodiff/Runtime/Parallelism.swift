import Dispatch

/// How many threads this package's own kernels may use, as a scoped setting.
///
/// Convolutions split their batch across this many threads, each calling
/// single-threaded BLAS on its share of the images; large elementwise
/// kernels, gathers and max pooling split their elements. On small matrices this
/// beats multi-threaded BLAS, which parallelises inside each small product
/// (and, called from these threads, oversubscribes the cores: W2 and W3 of
/// the benchmarks lose 35–45% with two BLAS threads). Models made only of
/// matrix products — MLP learners and generators — are the exception: there
/// BLAS's own threads pay (`BLASRuntime.threadCount = 2` took the W1 meta-step
/// from 0.050–0.064 s to 0.042–0.045 s on two cores).
/// The setting is task-local: it applies to the code inside
/// ``withParallelism(threads:_:)`` and to tasks it creates.
///
/// ```swift
/// BLASRuntime.threadCount = 1
/// try withParallelism(threads: 2) { try trainer.step(realImages: x, realLabels: y) }
/// ```
public enum Parallelism {
  /// The number of threads kernels may use in the current task (1: serial).
  @TaskLocal public static var threadCount: Int = 1

  /// Runs `body` on `0..<count` split into contiguous chunks, one per
  /// thread, and waits for all of them.
  static func forEachChunk(of count: Int, _ body: (Range<Int>) -> Void) {
    forEachShare(Swift.min(threadCount, count), of: count) { _, range in body(range) }
  }

  /// Elements per thread below which splitting an elementwise kernel costs
  /// more (a dispatch is several microseconds) than it saves.
  static let minimumElementsPerThread = 1 << 15

  /// Multiply-adds below which a matrix product stays one sgemm call: a
  /// dispatch costs several microseconds per product, and the many small
  /// products of an MLP meta-step (W1) got slower when split; a generator's
  /// 128×1024×1568 layer (2·10⁸) gains.
  static let minimumMultiplyAddsToSplit = 1 << 24

  /// Runs an elementwise kernel's `body` over `0..<count`: serially for
  /// small counts, else in one contiguous chunk per thread.
  @inline(__always)
  static func forEachElementChunk(of count: Int, _ body: (Range<Int>) -> Void) {
    guard count >= 2 * minimumElementsPerThread else {
      body(0..<count)
      return
    }
    let shares = Swift.min(threadCount, count / minimumElementsPerThread)
    forEachShare(shares, of: count) { _, range in body(range) }
  }

  /// Splits `0..<count` into `shares` contiguous ranges and runs
  /// `body(share, range)` for each, concurrently when `shares > 1`.
  static func forEachShare(_ shares: Int, of count: Int, _ body: (Int, Range<Int>) -> Void) {
    guard shares > 1 else {
      body(0, 0..<count)
      return
    }
    // The shares touch disjoint data by contract, which the type system
    // cannot see through the raw buffers the kernels capture.
    withoutActuallyEscaping(body) { body in
      let work = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: shares) { share in
        // Kernels called inside a share run serially: no nested splitting
        // (the calling thread's share would otherwise still see the
        // task's thread count).
        $threadCount.withValue(1) {
          work.value(share, (count * share / shares)..<(count * (share + 1) / shares))
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
