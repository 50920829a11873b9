internal import _GTNConvolution

/// The precision of matrix products and convolutions, as a scoped setting.
///
/// ``float32`` is the default and the figure of record. ``bfloat16``
/// rounds the two inputs of every matrix product (but the smallest, see
/// ``minimumBFloat16MultiplyAdds``) and convolution pass to
/// bfloat16 (to nearest even) and multiplies them with float32
/// accumulation into a float32 result, on oneDNN; tensors, parameters,
/// meta-parameters, gradients and every other operation stay float32.
/// Because higher-order gradients are built from the same products, the
/// second-order terms of a meta-gradient run in bfloat16 too.
///
/// ```swift
/// let exact = Tensor.matmul(a, b)
/// let rounded = Precision.$current.withValue(.bfloat16) { Tensor.matmul(a, b) }
/// ```
///
/// bfloat16 keeps float32's exponent range with an 8-bit significand, so
/// each rounded input has a relative error of at most 2⁻⁹; products of two
/// bfloat16 numbers are exact in float32. Every CPU computes the same
/// rounding, but the setting pays only where the CPU multiplies bfloat16
/// natively (``hasNativeBFloat16``): AMX tiles (oneDNN's `avx512_core_amx`
/// kernels) or `avx512_bf16` (`avx512_core_bf16`), where one instruction
/// does twice the multiply-adds of a float32 FMA. Elsewhere oneDNN emulates
/// it, slower than float32. Executables ask ``resolved(_:)`` which
/// precision to run.
///
/// Filter banks of one or two output channels (a generator's image layer)
/// run the package's direct float32 kernels whatever the setting, as do
/// matrix products of fewer than ``minimumBFloat16MultiplyAdds``
/// multiply-adds, and every matrix product when oneDNN is not available
/// (``ConvolutionBackend/isOneDNNAvailable``).
public enum Precision: String, Sendable, CaseIterable, Codable {
  /// float32 products and accumulation.
  case float32
  /// bfloat16 inputs, float32 accumulation and results.
  case bfloat16

  /// The precision in the current task (propagated to the package's worker
  /// threads).
  @TaskLocal public static var current: Precision = .float32

  /// The instruction set oneDNN's kernels use on this CPU, in oneDNN's
  /// words: `avx512_core_amx` (AMX tiles), `avx512_core_bf16`,
  /// `avx512_core`, `avx2`, …; `unavailable` without oneDNN.
  public static let instructionSet: String =
    ConvolutionBackend.isOneDNNAvailable ? String(cString: gtn_dnnl_cpu_isa()) : "unavailable"

  /// Whether oneDNN multiplies bfloat16 on AMX tiles on this CPU: the CPU
  /// has them and the kernel lets this process use them.
  public static let hasAMX: Bool = instructionSet.hasPrefix("avx512_core_amx")

  /// Whether oneDNN multiplies bfloat16 natively on this CPU: on AMX tiles,
  /// or with `avx512_bf16`'s dot-product instructions.
  public static let hasNativeBFloat16: Bool = hasAMX || instructionSet.hasPrefix("avx512_core_bf16")

  /// The precision to run when `requested` is asked for, and why it differs
  /// (`nil` when it does not): bfloat16 runs where the CPU multiplies it
  /// natively (``hasNativeBFloat16``); elsewhere float32 runs, faster there
  /// and exact.
  public static func resolved(_ requested: Precision) -> (precision: Precision, reason: String?) {
    guard requested == .bfloat16 else { return (requested, nil) }
    guard ConvolutionBackend.isOneDNNAvailable else { return (.float32, "oneDNN is not available, so float32 runs") }
    guard hasNativeBFloat16 else {
      return (.float32, "this CPU has no bfloat16 instructions (oneDNN's kernels use \(instructionSet)), where bfloat16 is "
                + "emulated and slower, so float32 runs")
    }
    return (.bfloat16, nil)
  }

  /// Whether products run in bfloat16 in the current task.
  static var runsBFloat16Products: Bool { current == .bfloat16 && ConvolutionBackend.isOneDNNAvailable }

  /// The fewest multiply-adds of a matrix product that runs in bfloat16;
  /// smaller ones run float32 whatever the setting.
  ///
  /// A bfloat16 product on oneDNN converts both inputs and sets up a
  /// primitive on every call, tens of microseconds whatever its size, which
  /// a small product never earns back. In a W4 step traced by oneDNN on one
  /// thread of a CPU with AMX, the products under 2²⁰ multiply-adds — the
  /// im2col products of the learner's one-channel first convolution (64×9 by
  /// 9×784, about 25,000 calls) and the 10-wide classifier layer — and the
  /// conversions of their inputs took 2.5 of the 21 s spent in oneDNN.
  /// Together with splitting bfloat16 products by rows, running them in
  /// float32 made W4 with bfloat16 on two threads 0.89 times as long (whole
  /// processes alternating with the version before, 0.87–1.12) and brought
  /// its meta-gradient closer to float32's.
  public static let minimumBFloat16MultiplyAdds = 1 << 20

  /// Whether an `m`×`k` by `k`×`n` product runs in bfloat16 in the current task.
  static func runsBFloat16Products(m: Int, n: Int, k: Int) -> Bool {
    runsBFloat16Products && m * n * k >= minimumBFloat16MultiplyAdds
  }
}
