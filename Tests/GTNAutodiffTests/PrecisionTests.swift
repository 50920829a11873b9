// bfloat16 products: every matrix product and convolution pass computes,
// up to the order of float32 accumulation, the float32 result of its inputs
// rounded to bfloat16 — on oneDNN and through im2col — and the scoped
// settings hold on the package's worker threads.

import Foundation
@testable import GTNAutodiff
import Testing

/// `value` rounded to bfloat16 (to nearest even), as a float.
func roundedToBFloat16(_ value: Float) -> Float {
  let bits = value.bitPattern
  let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
  return Float(bitPattern: (bits &+ rounding) & 0xFFFF_0000)
}

@Suite(.enabled(if: ConvolutionBackend.isOneDNNAvailable, "oneDNN is not available"))
struct PrecisionTests {
  /// Bounds the difference between two results by `tolerance` times the
  /// scale `Σ|a|·|b|` of each entry (float32 accumulation in another order).
  func expectClose(_ x: Tensor, _ y: Tensor, scale: Tensor, tolerance: Float = 1e-5, _ comment: Comment? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(x.shape == y.shape, comment, sourceLocation: sourceLocation)
    guard x.shape == y.shape else { return }
    let worst = zip(zip(x.scalars, y.scalars), scale.scalars).map { abs($0.0 - $0.1) / Swift.max($1, 1e-6) }.max() ?? 0
    #expect(worst <= tolerance, "\(comment.map { "\($0): " } ?? "")relative difference \(worst)", sourceLocation: sourceLocation)
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matrixProductsRoundTheirInputsAndAccumulateInFloat32(transposingA: Bool, transposingB: Bool) {
    var rng = SplitMix64(seed: stableSeed("bf16-matmul"))
    let (m, k, n) = (67, 129, 131)  // 1.1 million multiply-adds: above Precision.minimumBFloat16MultiplyAdds
    let a = Tensor(randomNormal: transposingA ? [k, m] : [m, k], using: &rng)
    let b = Tensor(randomNormal: transposingB ? [n, k] : [k, n], using: &rng)
    let bias = Tensor(randomNormal: [n], using: &rng)
    let product = Precision.$current.withValue(.bfloat16) { Tensor.matmul(a, b, transposingA: transposingA, transposingB: transposingB) }
    let reference = Tensor.matmul(a.map(roundedToBFloat16), b.map(roundedToBFloat16), transposingA: transposingA, transposingB: transposingB)
    let scale = Tensor.matmul(a.map(abs), b.map(abs), transposingA: transposingA, transposingB: transposingB)
    expectClose(product, reference, scale: scale)
    // It is not the float32 product: the rounding is really applied.
    let exact = Tensor.matmul(a, b, transposingA: transposingA, transposingB: transposingB)
    #expect(zip(product.scalars, exact.scalars).contains { abs($0 - $1) > 1e-4 })

    // Accumulating into a bias (linear layers) and on two threads.
    if !transposingA && transposingB {
      let affine = withParallelism(threads: 2) { Precision.$current.withValue(.bfloat16) { Tensor.linear(a, weight: b, bias: bias) } }
      let expected = Tensor.linear(a.map(roundedToBFloat16), weight: b.map(roundedToBFloat16), bias: bias)
      expectClose(affine, expected, scale: scale + bias.map(abs).reshaped(to: [1, n]))
    }
  }

  @Test func smallProductsStayFloat32AndWideOnesSplitByRows() {
    var rng = SplitMix64(seed: stableSeed("bf16-small-and-wide"))
    // 64×9 by 9×784: the im2col product of a one-channel convolution, under the threshold.
    let a = Tensor(randomNormal: [64, 9], using: &rng)
    let b = Tensor(randomNormal: [9, 784], using: &rng)
    #expect(64 * 9 * 784 < Precision.minimumBFloat16MultiplyAdds)
    let small = Precision.$current.withValue(.bfloat16) { Tensor.matmul(a, b) }
    #expect(small == Tensor.matmul(a, b), "products under the threshold are float32")

    // A result wider than tall on two threads: blocks of rows, each rounded.
    let x = Tensor(randomNormal: [64, 512], using: &rng)
    let y = Tensor(randomNormal: [512, 640], using: &rng)
    let wide = withParallelism(threads: 2) { Precision.$current.withValue(.bfloat16) { Tensor.matmul(x, y) } }
    let reference = Tensor.matmul(x.map(roundedToBFloat16), y.map(roundedToBFloat16))
    expectClose(wide, reference, scale: Tensor.matmul(x.map(abs), y.map(abs)), "bfloat16 by blocks of rows")
    #expect(wide != Tensor.matmul(x, y), "the wide product is rounded")
  }

  @Test func bfloat16ProductsAreTheSameOnAnyNumberOfThreads() {
    var rng = SplitMix64(seed: stableSeed("bf16-threads"))
    // 40×6272 by (256×6272)ᵀ, a learner's first fully connected layer on a
    // batch of 40: fewer rows than columns, and sums of 6,272 terms, which
    // oneDNN orders differently in a block of columns than in the whole.
    let a = Tensor(randomNormal: [40, 6272], using: &rng)
    let b = Tensor(randomNormal: [256, 6272], using: &rng)
    // 128×128 by 128×256: 2²² multiply-adds, the least that splits; in eight
    // blocks each is under Precision.minimumBFloat16MultiplyAdds, and still
    // runs in bfloat16 because the whole product does.
    let c = Tensor(randomNormal: [128, 128], using: &rng)
    let d = Tensor(randomNormal: [128, 256], using: &rng)
    #expect(128 * 128 * 256 / 8 < Precision.minimumBFloat16MultiplyAdds)
    func products() -> (Tensor, Tensor) {
      Precision.$current.withValue(.bfloat16) { (Tensor.matmul(a, b, transposingB: true), Tensor.matmul(c, d)) }
    }
    let (narrow, small) = products()
    #expect(small != Tensor.matmul(c, d), "the product is rounded")
    for threads in [2, 3, 8] {
      let (narrowSplit, smallSplit) = withParallelism(threads: threads) { products() }
      #expect(narrowSplit == narrow, "40×6272·(256×6272)ᵀ on \(threads) threads")
      #expect(smallSplit == small, "128×128·128×256 on \(threads) threads")
    }
  }

  @Test(arguments: ConvolutionBackend.allCases)
  func convolutionPassesRoundTheirInputs(backend: ConvolutionBackend) {
    var rng = SplitMix64(seed: stableSeed("bf16-conv"))
    // Each image's im2col product on the builtin backend is 32×144 by 144×256
    // (1.2 million multiply-adds), large enough to run in bfloat16.
    let x = Tensor(randomNormal: [2, 16, 16, 16], using: &rng)
    let w = Tensor(randomNormal: [32, 16, 3, 3], using: &rng)
    let g = Tensor(randomNormal: [2, 32, 16, 16], using: &rng)
    let (xr, wr, gr) = (x.map(roundedToBFloat16), w.map(roundedToBFloat16), g.map(roundedToBFloat16))
    ConvolutionBackend.$current.withValue(backend) {
      let (y, dx, dw) = withParallelism(threads: 2) {
        Precision.$current.withValue(.bfloat16) {
          (Tensor.conv2d(x, filter: w, padding: 1), Tensor.conv2dInputGradient(g, filter: w, inputShape: x.shape, padding: 1),
           Tensor.conv2dFilterGradient(x, outputGradient: g, filterShape: w.shape, padding: 1))
        }
      }
      expectClose(y, Tensor.conv2d(xr, filter: wr, padding: 1), scale: Tensor.conv2d(x.map(abs), filter: w.map(abs), padding: 1),
                  "forward on \(backend)")
      expectClose(dx, Tensor.conv2dInputGradient(gr, filter: wr, inputShape: x.shape, padding: 1),
                  scale: Tensor.conv2dInputGradient(g.map(abs), filter: w.map(abs), inputShape: x.shape, padding: 1), "input gradient on \(backend)")
      expectClose(dw, Tensor.conv2dFilterGradient(xr, outputGradient: gr, filterShape: w.shape, padding: 1),
                  scale: Tensor.conv2dFilterGradient(x.map(abs), outputGradient: g.map(abs), filterShape: w.shape, padding: 1),
                  "filter gradient on \(backend)")
      let rounds = y != Tensor.conv2d(x, filter: w, padding: 1)
      #expect(rounds, "the rounding is really applied on \(backend)")
    }
  }

  @Test func scopedSettingsHoldOnWorkerThreads() {
    var rng = SplitMix64(seed: stableSeed("scoped-settings"))
    let x = Tensor(randomNormal: [8, 4, 10, 10], using: &rng)
    let w = Tensor(randomNormal: [8, 4, 3, 3], using: &rng)
    // The builtin backend splits the batch image by image, so its result
    // does not depend on the threads; oneDNN's rounds differently.
    let serial = ConvolutionBackend.$current.withValue(.builtin) { Tensor.conv2d(x, filter: w, padding: 1) }
    let threaded = ConvolutionBackend.$current.withValue(.builtin) { withParallelism(threads: 2) { Tensor.conv2d(x, filter: w, padding: 1) } }
    let sameOnTwoThreads = threaded == serial
    #expect(sameOnTwoThreads, "the builtin backend holds on the worker threads")
    let a = Tensor(randomNormal: [256, 300], using: &rng)
    let b = Tensor(randomNormal: [300, 256], using: &rng)
    let one = Precision.$current.withValue(.bfloat16) { Tensor.matmul(a, b) }
    let two = withParallelism(threads: 2) { Precision.$current.withValue(.bfloat16) { Tensor.matmul(a, b) } }
    let scale = Tensor.matmul(a.map(abs), b.map(abs))
    expectClose(two, one, scale: scale, "bfloat16 on two threads")
    let rounds = two != withParallelism(threads: 2) { Tensor.matmul(a, b) }
    #expect(rounds, "bfloat16 holds on the worker threads")
  }

  @Test func executablesRunBFloat16OnlyWhereTheCPUMultipliesItNatively() {
    #expect(Precision.resolved(.float32) == (.float32, nil))
    let (precision, reason) = Precision.resolved(.bfloat16)
    #expect(Precision.hasNativeBFloat16 == (Precision.instructionSet.contains("amx") || Precision.instructionSet.contains("bf16")))
    if Precision.hasNativeBFloat16 {
      #expect(precision == .bfloat16 && reason == nil)
    } else {
      #expect(precision == .float32 && reason?.contains(Precision.instructionSet) == true)
    }
    #expect(!Precision.instructionSet.isEmpty && Precision.instructionSet != "unknown")
  }
}
