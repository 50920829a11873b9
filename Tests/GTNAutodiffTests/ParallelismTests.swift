import Foundation
@testable import GTNAutodiff
import Testing

// The worker pool behind `Parallelism`: every share runs exactly once, on
// any share and thread count, after the workers have parked, and when
// several threads split kernels at the same time (one of them gets the pool,
// the others fall back to Dispatch); threads claim shares as they finish
// them, so a slow thread runs fewer.

@Suite struct ParallelismTests {
  /// Runs `forEachShare` on `threads` threads and records which shares ran
  /// over which ranges.
  func coverage(shares: Int, count: Int, threads: Int = 2) -> [Int] {
    let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
    hits.initialize(repeating: 0)
    defer { hits.deallocate() }
    withParallelism(threads: threads) {
      Parallelism.forEachShare(shares, of: count) { share, range in
        // Kernels inside a share run serially (a nested split would show as
        // a second visit).
        let nested = Parallelism.threadCount == 1 ? 0 : 1_000_000
        for i in range { hits[i] += 1 + share * 1_000 + nested }
      }
    }
    return Array(hits)
  }

  @Test(arguments: [(2, 2), (3, 2), (3, 3), (5, 2), (8, 2), (8, 8), (16, 3)])
  func everyShareRunsOnceOverItsRange(shares: Int, threads: Int) {
    let count = 1_009
    for _ in 0..<100 {
      let hits = coverage(shares: shares, count: count, threads: threads)
      let expected = (0..<count).map { i in 1 + (0..<shares).first { i < count * ($0 + 1) / shares }! * 1_000 }
      #expect(hits == expected)
    }
  }

  /// Small kernels split one share per thread; large ones up to four per
  /// thread, never more than they have pieces; one thread never splits.
  @Test func largeKernelsSplitIntoSeveralSharesPerThread() {
    withParallelism(threads: 2) {
      #expect(Parallelism.shareCount(elements: 10_000) == 1)
      #expect(Parallelism.shareCount(elements: 50_000) == 2)
      #expect(Parallelism.shareCount(elements: 1_605_632) == 8)
      #expect(Parallelism.shareCount(elements: 1_605_632, pieces: 3) == 3)
      #expect(Parallelism.shareCount(elements: 1_605_632, perThread: 1) == 2)
    }
    #expect(Parallelism.shareCount(elements: 1_605_632) == 1)
  }

  /// With more shares than threads, a thread that is held up runs fewer
  /// shares: here every share the worker takes sleeps, and the calling
  /// thread runs the rest meanwhile.
  @Test func aSlowThreadRunsFewerShares() {
    let shares = 16
    let caller = pthread_self()
    let ranOnCaller = UnsafeMutableBufferPointer<Bool>.allocate(capacity: shares)
    ranOnCaller.initialize(repeating: false)
    defer { ranOnCaller.deallocate() }
    withParallelism(threads: 2) {
      Parallelism.forEachShare(shares, of: shares) { share, _ in
        if pthread_equal(pthread_self(), caller) != 0 {
          ranOnCaller[share] = true
        } else {
          usleep(50_000)
        }
      }
    }
    let onCaller = ranOnCaller.filter { $0 }.count
    #expect(onCaller >= shares - 3, "the calling thread ran \(onCaller) of \(shares) shares")
  }

  /// Waiting longer than the workers spin makes them park; the next split
  /// must wake them.
  @Test func parkedWorkersWakeForTheNextSplit() {
    for round in 0..<5 {
      #expect(coverage(shares: 2, count: 100) == (0..<100).map { $0 < 50 ? 1 : 1_001 }, "round \(round)")
      usleep(UInt32(WorkerPool.spinNanoseconds / 1_000) * 3)
    }
  }

  /// Several threads splitting kernels at once all get correct results.
  @Test func concurrentCallersAllGetCorrectResults() async {
    var rng = SplitMix64(seed: 4)
    let x = Tensor(randomNormal: [8, 16, 28, 28], using: &rng)
    let y = Tensor(randomNormal: [8, 16, 28, 28], using: &rng)
    let expected = (x * y + x).tanh().scalars
    let results = await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<4 {
        group.addTask {
          withParallelism(threads: 2) {
            (0..<10).allSatisfy { _ in (x * y + x).tanh().scalars == expected }
          }
        }
      }
      return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results == [true, true, true, true])
  }

  /// `forEachJob` runs every job once, gives each job its share of the
  /// task's threads, and keeps the caller's scoped precision.
  @Test(arguments: [(1, 3), (2, 1), (2, 2), (2, 5), (4, 2), (3, 7)])
  func everyJobRunsOnceWithItsShareOfTheThreads(threads: Int, jobs: Int) {
    let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: jobs)
    seen.initialize(repeating: 0)
    defer { seen.deallocate() }
    withParallelism(threads: threads) {
      Precision.$current.withValue(.bfloat16) {
        Parallelism.forEachJob(jobs) { job in
          seen[job] += 1 + 10 * Parallelism.threadCount + (Precision.current == .bfloat16 ? 1_000 : 0)
        }
      }
    }
    let threadsEach = jobs >= threads ? 1 : threads / jobs
    #expect(Array(seen) == Array(repeating: 1 + 10 * threadsEach + 1_000, count: jobs))
  }
}
