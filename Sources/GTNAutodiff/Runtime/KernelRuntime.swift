internal import _GTNKernels

/// Which code path the package's own elementwise kernels take on this CPU.
///
/// Swift code is compiled for the architecture's baseline (SSE2 on x86-64)
/// and has no per-function instruction-set targets, so the hottest
/// elementwise loops (`tanh`, leaky ReLU and its backward pass, scaled
/// additions, broadcast arithmetic, the outer Adam update) are C functions
/// compiled three times — for x86-64-v4 (AVX-512), x86-64-v3 (AVX2, FMA)
/// and the baseline — and the dynamic loader picks the best one the CPU
/// supports. The clones give bit-identical results: products are rounded
/// before sums in all of them (no contraction into fused multiply-adds).
/// On other architectures and C libraries there is one baseline build.
public enum KernelRuntime {
  /// `"x86-64-v4"`, `"x86-64-v3"` or `"baseline"`.
  public static var instructionSet: String { String(cString: gtn_kernels_instruction_set()) }

  /// Runs every elementwise kernel through each instruction-set build this
  /// CPU can run and compares the bits with the dispatched build's.
  ///
  /// A diagnostic for a new machine or toolchain: `differences` (kernels
  /// whose results differ in any bit) should be 0. `buildsChecked` is 0
  /// where there is a single build (other architectures and C libraries).
  /// The comparison is meaningful for optimised builds (`-c release`), where
  /// the builds are vectorised differently.
  ///
  /// - Complexity: a few milliseconds.
  public static func compareBuilds() -> (differences: Int, buildsChecked: Int) {
    var checked: Int32 = 0
    let differences = gtn_kernels_clone_differences(&checked)
    return (Int(differences), Int(checked))
  }

  /// The float32 multiply-add throughput of one core, measured on the
  /// calling thread, in GFLOP/s.
  ///
  /// Twelve independent chains of fused multiply-adds on the widest vector
  /// registers of the dispatched build (16 lanes at x86-64-v4), two flops
  /// each: the rate no float32 kernel on this core can exceed, against which
  /// a workload's GFLOP/s reads as a fraction of the machine. Measure it on
  /// an otherwise idle core: the best of `repetitions` runs is returned.
  ///
  /// ```swift
  /// let peak = KernelRuntime.measureFMAPeakGFLOPS()
  /// let sgemm = BLASRuntime.measureSgemmGFLOPS()
  /// print("sgemm at \(Int(100 * sgemm / peak))% of one core's peak")
  /// ```
  ///
  /// - Complexity: about `repetitions × rounds × 384` flops (a fifth of a
  ///   second per repetition at 200 GFLOP/s with the defaults).
  public static func measureFMAPeakGFLOPS(rounds: Int = 100_000_000, repetitions: Int = 3) -> Double {
    precondition(rounds > 0 && repetitions > 0, "measureFMAPeakGFLOPS: rounds \(rounds) and repetitions \(repetitions) must be positive")
    let clock = ContinuousClock()
    var best = Duration.seconds(1_000_000)
    var lanes = 0
    var sink: Float = 0
    for _ in 0..<repetitions {
      let elapsed = clock.measure {
        let (sum, count) = fmaRounds(rounds)
        (sink, lanes) = (sink + sum, count)
      }
      best = min(best, elapsed)
    }
    precondition(sink.isFinite, "measureFMAPeakGFLOPS: the chains left the finite range")
    return 2 * Double(lanes) * Double(rounds) / best.inSeconds / 1e9
  }

  /// The sum over the throughput loop's lanes after `rounds` rounds of
  /// `lane = lane + multiplier·addend`, fused, lane `k` starting at
  /// `start + k·step`, and the number of lanes (12 chains of the widest
  /// vector registers).
  static func fmaRounds(
    _ rounds: Int, start: Float = 1, step: Float = 0.001, multiplier: Float = 1e-4, addend: Float = 5e-4
  ) -> (sum: Float, lanes: Int) {
    var lanes: Int32 = 0
    let sum = gtn_fma_rounds(rounds, start, step, multiplier, addend, &lanes)
    return (sum, Int(lanes))
  }
}
