#if canImport(Glibc)
import Dispatch
import Glibc
import Synchronization

/// The threads that run the shares of ``Parallelism``'s kernels.
///
/// `DispatchQueue.concurrentPerform` wakes a parked worker for every call,
/// and on virtual machines waking an idle processor takes tens of
/// microseconds: measured on the 2-vCPU benchmark machine, two 40 µs shares
/// took 100 µs through `concurrentPerform` (81 µs serially) and 42 µs on a
/// worker that was already spinning. Kernels split many times per training
/// step, so the workers here keep spinning for a while after each job
/// (``spinNanoseconds``) before they park on a semaphore, and the caller
/// takes part in every job itself.
///
/// A job may have more shares than threads: every thread claims the next
/// unclaimed share when it finishes one, so a thread that runs slower — on
/// a virtual machine one vCPU is often slower than the other for minutes at
/// a time, by 5–15% on the benchmark machine, and a worker reads data the
/// caller wrote last from the caller's cache — takes fewer shares instead
/// of keeping the others waiting. Which thread runs a share never changes
/// what it computes.
///
/// One caller at a time: a call made while the pool is busy (from another
/// thread) returns `false` and the caller falls back to Dispatch.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()

  /// How long an idle worker spins before it parks: long enough to bridge
  /// the serial stretches between the kernels of a training step, short
  /// enough that an idle process goes quiet at once.
  static let spinNanoseconds: UInt64 = 2_000_000

  /// At most this many workers (plus the calling thread) are started: one
  /// fewer than the processors online. Spinning threads beyond the cores
  /// would take turns on them; larger splits go to Dispatch.
  static let maximumWorkers = Swift.max(0, Swift.min(63, sysconf(Int32(_SC_NPROCESSORS_ONLN)) - 1))

  private final class Job: @unchecked Sendable {
    let body: (_ claim: () -> Int?) -> Void
    let shares: Int
    /// The next share to claim.
    let next = Atomic<Int>(0)
    init(shares: Int, _ body: @escaping (_ claim: () -> Int?) -> Void) {
      self.shares = shares
      self.body = body
    }

    /// Runs the body on this thread, claiming shares until none are left.
    func runShares() {
      body {
        let share = self.next.wrappingAdd(1, ordering: .relaxed).oldValue
        return share < self.shares ? share : nil
      }
    }
  }

  private final class Worker: @unchecked Sendable {
    /// Bumped by the caller for every job; `job` is written
    /// before and read after it.
    let generation = Atomic<Int>(0)
    /// Set to the job's generation when this worker has no share left to run.
    let finished = Atomic<Int>(0)
    let parked = Atomic<Bool>(false)
    let wake = DispatchSemaphore(value: 0)
    var job: Job?

    func run() {
      var seen = 0
      while true {
        var spins = 0
        var idleSince: UInt64 = 0
        while generation.load(ordering: .acquiring) == seen {
          spins &+= 1
          guard spins & 1023 == 0 else { continue }
          let now = DispatchTime.now().uptimeNanoseconds
          if idleSince == 0 {
            idleSince = now
          } else if now &- idleSince > WorkerPool.spinNanoseconds {
            // Park. The caller bumps `generation` and then checks `parked`;
            // this thread sets `parked` and then checks `generation`: one
            // of the two sees the other (sequentially consistent), so no
            // wake-up is lost. A surplus signal only costs one extra lap.
            parked.store(true, ordering: .sequentiallyConsistent)
            if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
            parked.store(false, ordering: .sequentiallyConsistent)
            idleSince = 0
          }
        }
        seen = generation.load(ordering: .acquiring)
        job!.runShares()
        finished.store(seen, ordering: .releasing)
      }
    }
  }

  private let busy = Atomic<Bool>(false)
  /// Only touched by the caller that holds `busy`.
  private var workers: [Worker] = []

  /// Runs `body` once on each of `threads` threads — the calling thread and
  /// `threads − 1` workers — and waits for all of them; `body` calls its
  /// `claim` argument for the next of the `shares` shares until it returns
  /// `nil`, so every share is claimed exactly once, by whichever thread is
  /// free (a body may set up per-thread state around its loop). `false`
  /// (nothing run) when another thread is using the pool or `threads`
  /// exceeds the processors online.
  func run(shares: Int, threads: Int, _ body: (_ claim: () -> Int?) -> Void) -> Bool {
    precondition(threads >= 1 && threads <= shares, "WorkerPool.run needs 1 ≤ threads ≤ shares, got \(threads) threads for \(shares) shares")
    guard threads - 1 <= Self.maximumWorkers,
      busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else { return false }
    defer { busy.store(false, ordering: .releasing) }
    while workers.count < threads - 1 {
      let worker = Worker()
      startThread { worker.run() }
      workers.append(worker)
    }
    withoutActuallyEscaping(body) { body in
      let job = Job(shares: shares, body)
      for worker in workers.prefix(threads - 1) {
        worker.job = job
        worker.generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if worker.parked.exchange(false, ordering: .sequentiallyConsistent) { worker.wake.signal() }
      }
      job.runShares()
      for worker in workers.prefix(threads - 1) {
        let generation = worker.generation.load(ordering: .relaxed)
        var spins = 0
        while worker.finished.load(ordering: .acquiring) != generation {
          // A worker that lost its processor (a loaded machine) gets it
          // back sooner if this thread stops competing for it.
          spins &+= 1
          if spins > 4096 { sched_yield() }
        }
        worker.job = nil  // the closure must not outlive this call
      }
    }
    return true
  }
}

/// Starts a detached thread running `body`.
private func startThread(_ body: @escaping @Sendable () -> Void) {
  final class Box: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
  var attributes = pthread_attr_t()
  pthread_attr_init(&attributes)
  defer { pthread_attr_destroy(&attributes) }
  pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
  var thread = pthread_t()
  let result = pthread_create(&thread, &attributes, { context in
    Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
    return nil
  }, Unmanaged.passRetained(Box(body)).toOpaque())
  precondition(result == 0, "could not start a kernel worker thread (pthread_create returned \(result))")
}
#endif
