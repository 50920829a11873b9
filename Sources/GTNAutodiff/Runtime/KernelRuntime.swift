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
}
