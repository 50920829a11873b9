internal import _GTNCBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the BLAS library underneath the tensors is doing, and its controls.
///
/// Debian's OpenBLAS (0.3.21) picks its kernel for the CPU when it loads. On
/// CPUs it does not recognise it falls back to an older kernel: the generic
/// one ("Prescott"), or on AMD's Zen 5 (family 26), which has AVX-512, the
/// AVX2 kernel ("Haswell"). Either runs `sgemm` at a third of the speed of
/// the AVX-512 kernel or less (one Zen 5 core: 53 GFLOP/s with "Haswell",
/// 177 with "SkylakeX", 1024³), and the only cure is the environment
/// variable `OPENBLAS_CORETYPE`, read before the library loads.
/// ``slowKernelWarning`` says when this has happened, and
/// ``reexecutingWithFastKernelIfNeeded()`` fixes it for an executable by
/// restarting it once with the variable set.
///
/// ```swift
/// print(BLASRuntime.coreName)          // "SkylakeX"
/// BLASRuntime.threadCount = 1
/// ```
public enum BLASRuntime {
  /// The name of the kernel OpenBLAS chose, e.g. `"Prescott"`, `"Haswell"`,
  /// `"SkylakeX"`.
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// OpenBLAS's build configuration string.
  public static var configuration: String {
    guard let config = openblas_get_config() else { return "unknown" }
    return String(cString: config)
  }

  /// The number of threads OpenBLAS uses for one call. Setting it affects
  /// the whole process.
  public static var threadCount: Int {
    get { Int(openblas_get_num_threads()) }
    set {
      precondition(newValue >= 1, "BLASRuntime.threadCount must be ≥ 1, got \(newValue)")
      openblas_set_num_threads(Int32(newValue))
    }
  }

  /// Whether OpenBLAS's kernel computes every element of a block of a matrix
  /// product's rows or columns with the same sums, in the same order, as
  /// the whole product: true of the AVX-512 `SkylakeX` kernel (and
  /// `Cooperlake`, `SandyBridge`), false of `Haswell`, `Zen` and the generic
  /// `Prescott`, where a block gives other low-order bits. Matrix products
  /// split into one block per thread only where this holds, and into blocks
  /// fixed by their shape elsewhere, so results never depend on the thread
  /// count. Measured with 287 random shapes on one thread, blocks of half
  /// the rows and half the columns against the whole product.
  static let blocksSumAsTheWholeProduct: Bool = ["skylakex", "cooperlake", "sandybridge"].contains(coreName.lowercased())

  /// Runs `body` with OpenBLAS using `threads` threads per call, then
  /// restores the count it had. Scopes on different threads take turns, so
  /// no other scope changes the count while `body` runs; scopes nest.
  ///
  /// Matrix products split across ``Parallelism``'s threads only while
  /// OpenBLAS runs single-threaded. Results that are compared across thread
  /// counts — the same computation with ``withParallelism(threads:_:)`` at 1
  /// and at 2 — need one BLAS thread count throughout, which this scope
  /// holds. ``threadCount``'s setter, for an executable's start-up, changes the
  /// count for the whole process at once.
  ///
  /// - Parameters:
  ///   - threads: OpenBLAS threads per call, at least 1.
  ///   - body: The work to run with them.
  /// - Returns: What `body` returns.
  public static func withThreadCount<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
    precondition(threads >= 1, "BLASRuntime.withThreadCount needs threads ≥ 1, got \(threads)")
    threadCountScope.lock()
    defer { threadCountScope.unlock() }
    let original = threadCount
    threadCount = threads
    defer { threadCount = original }
    return try body()
  }

  /// Serialises ``withThreadCount(_:_:)``'s scopes.
  private static let threadCountScope = ScopeLock()

  /// The fastest `OPENBLAS_CORETYPE` this CPU supports, judged from its
  /// instruction-set flags (`nil` where they cannot be read or nothing better
  /// than the generic kernel applies).
  public static var recommendedCoreType: String? {
    let flags = Set(Processor.current.flags)
    if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { return "SkylakeX" }
    if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
    return nil
  }

  /// Whether OpenBLAS runs an older kernel than the CPU supports: a generic
  /// or SSE/AVX kernel where AVX2 or AVX-512 is available, or an AVX2 kernel
  /// where AVX-512 is.
  public static var isRunningSlowKernel: Bool {
    guard let recommended = recommendedCoreType else { return false }
    return kernel(coreName, isSlowerThan: recommended)
  }

  /// Whether the OpenBLAS kernel named `core` uses narrower vectors than
  /// `recommended`: kernels rank as AVX-512 (`SkylakeX`, `Cooperlake`,
  /// `SapphireRapids`) over AVX2 (`Haswell`, `Zen`) over every other.
  ///
  /// ```swift
  /// print(BLASRuntime.kernel("Haswell", isSlowerThan: "SkylakeX"))     // true
  /// print(BLASRuntime.kernel("Cooperlake", isSlowerThan: "SkylakeX"))  // false
  /// ```
  public static func kernel(_ core: String, isSlowerThan recommended: String) -> Bool {
    func rank(_ name: String) -> Int {
      switch name.lowercased() {
      case "skylakex", "cooperlake", "sapphirerapids": 2
      case "haswell", "zen": 1
      default: 0
      }
    }
    return rank(core) < rank(recommended)
  }

  /// A one-line warning when OpenBLAS runs an older kernel than the CPU
  /// supports (see ``isRunningSlowKernel``), naming the fix; `nil` otherwise.
  public static var slowKernelWarning: String? {
    guard isRunningSlowKernel, let better = recommendedCoreType else { return nil }
    let warning = "warning: OpenBLAS runs its '\(coreName)' kernel on a CPU that supports '\(better)' (about 3x slower matrix products)"
    if let set = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) }) {
      // The environment chose the kernel: say so, since no restart overrides it.
      return warning + ", because the environment sets OPENBLAS_CORETYPE=\(set); set OPENBLAS_CORETYPE=\(better) instead."
    }
    return warning + "; set OPENBLAS_CORETYPE=\(better) before starting the process."
  }

  /// Restarts the current executable once with `OPENBLAS_CORETYPE` set to
  /// ``recommendedCoreType`` when OpenBLAS chose an older kernel and the
  /// variable is not already set. Returns normally when no restart is needed
  /// or possible; call it first thing in `main`.
  ///
  /// Set `GTN_KEEP_BLAS_KERNEL=1` to opt out.
  public static func reexecutingWithFastKernelIfNeeded() {
    #if os(Linux)
    guard getenv("OPENBLAS_CORETYPE") == nil, getenv("GTN_KEEP_BLAS_KERNEL") == nil,
      isRunningSlowKernel, let better = recommendedCoreType
    else { return }
    setenv("OPENBLAS_CORETYPE", better, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv only returns on failure: carry on with the slow kernel.
    unsetenv("OPENBLAS_CORETYPE")
    #endif
  }

  /// Measures single-precision matrix-product throughput through this
  /// package's `matmul`, in GFLOP/s (2·n³ operations per product).
  ///
  /// - Parameters:
  ///   - size: The side of the square matrices.
  ///   - repetitions: How many products to time.
  public static func measureSgemmGFLOPS(size: Int = 1024, repetitions: Int = 10) -> Double {
    var rng = SplitMix64(seed: 1)
    let a = Tensor(randomNormal: [size, size], using: &rng)
    let b = Tensor(randomNormal: [size, size], using: &rng)
    _ = Tensor.matmul(a, b)
    let clock = ContinuousClock()
    var best = Duration.seconds(1_000_000)
    for _ in 0..<repetitions {
      let elapsed = clock.measure { _ = Tensor.matmul(a, b) }
      best = min(best, elapsed)
    }
    let seconds = best.inSeconds
    return 2 * Double(size * size * size) / seconds / 1e9
  }
}

/// A recursive mutual-exclusion lock over a `pthread_mutex_t` that never
/// moves: a scope may open another on the same thread.
private final class ScopeLock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    var attributes = pthread_mutexattr_t()
    pthread_mutexattr_init(&attributes)
    defer { pthread_mutexattr_destroy(&attributes) }
    pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
    precondition(pthread_mutex_init(mutex, &attributes) == 0, "could not create a mutex")
    return mutex
  }()

  func lock() { precondition(pthread_mutex_lock(mutex) == 0, "could not lock a mutex") }
  func unlock() { precondition(pthread_mutex_unlock(mutex) == 0, "could not unlock a mutex") }
}
