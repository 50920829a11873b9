import Foundation
@testable import GTNAutodiff
import Testing

// Forward values of the Tensor kernels against hand-computed values and
// Double reference implementations.

@Suite struct TensorBasicsTests {
  @Test func initialisersAndAccessors() {
    let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(t.rank == 2)
    #expect(t.scalarCount == 6)
    #expect(t[1, 2] == 6)
    #expect(t[0, 1] == 2)
    #expect(Tensor(3).shape == [])
    #expect(Tensor(3).scalar == 3)
    #expect(Tensor(zeros: [2, 2]).scalars == [0, 0, 0, 0])
    #expect(Tensor(ones: [3]).scalars == [1, 1, 1])
    #expect(Tensor(repeating: 2.5, shape: [1, 2]).scalars == [2.5, 2.5])
    let filled = Tensor(shape: [3]) { buffer in buffer[1] = 7 }
    #expect(filled.scalars == [0, 7, 0])
    var m = t
    m[0, 0] = 10
    #expect(t[0, 0] == 1, "value semantics: the copy is independent")
    #expect(m[0, 0] == 10)
    #expect(t.description == "[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]")
  }

  @Test func mapZipMapAndInPlaceAdd() {
    let a = Tensor(shape: [3], scalars: [1, -2, 3])
    let b = Tensor(shape: [3], scalars: [4, 5, -6])
    #expect(a.map { $0 * 2 }.scalars == [2, -4, 6])
    #expect(a.zipMap(b) { $0 * 10 + $1 }.scalars == [14, -15, 24])
    var c = a
    c.add(b, scaledBy: 0.5)
    #expect(c.scalars == [3, 0.5, 0])
    #expect((a + 1).scalars == [2, -1, 4])
    #expect((a - 1).scalars == [0, -3, 2])
    #expect((a * 2).scalars == [2, -4, 6])
    #expect((2 * a).scalars == [2, -4, 6])
    #expect((a / 2).scalars == [0.5, -1, 1.5])
    #expect((-a).scalars == [-1, 2, -3])
  }

  @Test(arguments: [
    ([2, 1, 3], [4, 1]),      // size-1 dimensions on both sides, rank difference
    ([3], [2, 3]),            // rank difference
    ([], [2, 2]),             // scalar
    ([2, 3, 1, 5], [3, 4, 1]),
    ([4, 5], [4, 5]),         // equal shapes: the fast path
    ([1, 1], [3, 1, 2]),
  ])
  func broadcastingArithmetic(lhs: [Int], rhs: [Int]) {
    var rng = SplitMix64(seed: stableSeed("broadcast \(lhs) \(rhs)"))
    let a = randomTensor(lhs, &rng)
    let b = Tensor(randomUniform: rhs, lowerBound: 0.5, upperBound: 2, using: &rng)
    let cases: [(Tensor, (Double, Double) -> Double)] = [
      (a + b, { $0 + $1 }), (a - b, { $0 - $1 }), (a * b, { $0 * $1 }), (a / b, { $0 / $1 }),
      (b - a, { $1 - $0 }),
    ]
    for (index, (actual, op)) in cases.enumerated() {
      let (expected, shape) = index == 4 ? naiveBroadcast(b, a, { op($1, $0) }) : naiveBroadcast(a, b, op)
      expectClose(actual, expected, shape: shape)
    }
    #expect(broadcastShape(lhs, rhs) == (a + b).shape)
  }

  @Test func elementaryFunctions() {
    let xs: [Float] = [-3, -0.5, 0, 0.25, 2, 12]
    let x = Tensor(shape: [6], scalars: xs)
    let d = xs.map(Double.init)
    expectClose(x.relu(), d.map { Swift.max($0, 0) }, shape: [6])
    expectClose(x.leakyRelu(slope: 0.1), d.map { $0 > 0 ? $0 : 0.1 * $0 }, shape: [6])
    expectClose(x.tanh(), d.map { Foundation.tanh($0) }, shape: [6])
    expectClose(x.sigmoid(), d.map { 1 / (1 + Foundation.exp(-$0)) }, shape: [6])
    expectClose(x.exp(), d.map { Foundation.exp($0) }, shape: [6])
    expectClose(x.softplus(), d.map { Foundation.log(1 + Foundation.exp($0)) }, shape: [6])
    expectClose(x.squared(), d.map { $0 * $0 }, shape: [6])
    let p = Tensor(shape: [4], scalars: [0.5, 1, 4, 9])
    expectClose(p.log(), [0.5, 1, 4, 9].map { Foundation.log($0) }, shape: [4])
    expectClose(p.squareRoot(), [0.5, 1, 4, 9].map { $0.squareRoot() }, shape: [4])
    // Stable at the extremes.
    let big = Tensor(shape: [2], scalars: [-100, 100])
    #expect(big.sigmoid().scalars[0] >= 0 && big.sigmoid().scalars[0] < Float.leastNormalMagnitude)
    #expect(big.sigmoid().scalars[1] == 1)
    #expect(big.softplus().scalars[1] == 100)
    #expect(big.softplus().scalars[0] >= 0)
  }

  /// The vectorisable tanh stays within 0.52 units in the last place of the
  /// double-precision tanh everywhere (as good as correctly rounded), keeps signed zeros, saturates and
  /// propagates NaN.
  @Test func tanhIsAsAccurateAsCorrectRounding() {
    var xs: [Float] = []
    var x: Float = 1e-30
    while x < 12 { xs.append(x); xs.append(-x); x *= 1.0001 }
    let t = Tensor(shape: [xs.count], scalars: xs).tanh()
    var worst = 0.0
    for (x, y) in zip(xs, t.scalars) {
      let reference = Foundation.tanh(Double(x))
      worst = Swift.max(worst, abs(Double(y) - reference) / Double(Float(reference).ulp))
    }
    #expect(worst <= 0.52, "worst error \(worst) ulp")
    let special = Tensor(shape: [5], scalars: [0, -0.0, .infinity, -.infinity, -30]).tanh().scalars
    #expect(special[0] == 0 && special[0].sign == .plus)
    #expect(special[1] == 0 && special[1].sign == .minus)
    #expect(special[2] == 1 && special[3] == -1 && special[4] == -1)
    #expect(Tensor(shape: [1], scalars: [.nan]).tanh().scalars[0].isNaN)
  }
}

@Suite struct ReductionKernelTests {
  /// Sum over `axes` (kept) in Double.
  func naiveSum(_ x: Tensor, axes: Set<Int>) -> [Double] {
    let outShape = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    let strides = rowMajorStrides(outShape)
    var out = [Double](repeating: 0, count: outShape.reduce(1, *))
    for flat in 0..<x.scalarCount {
      let index = multiIndex(flat, x.shape)
      var o = 0
      for d in 0..<x.rank where !axes.contains(d) { o += index[d] * strides[d] }
      out[o] += Double(x.scalars[flat])
    }
    return out
  }

  /// Large reductions to a broadcast shape and large broadcasts split the
  /// outermost dimension across threads: the sums stay within rounding of a
  /// Double reference (shares sum privately, then add), broadcasts are
  /// exact, with 1, 2 and 3 threads.
  @Test(arguments: [[1, 8, 1, 1], [16, 1, 1, 1], [1, 1, 28, 28], [8, 1, 1], [16, 8, 1, 28], [1, 1, 1, 1]])
  func threadedSumsToShapeAndBroadcasts(target: [Int]) {
    var rng = SplitMix64(seed: 5)
    // 100,352 elements: above the split threshold.
    let x = Tensor(randomNormal: [16, 8, 28, 28], using: &rng)
    let padded = [Int](repeating: 1, count: 4 - target.count) + target
    let axes = Set((0..<4).filter { padded[$0] == 1 })
    let expected = naiveSum(x, axes: axes)
    let small = Tensor(randomNormal: target, using: &rng)
    let serialBroadcast = small.broadcast(to: x.shape)
    for threads in [1, 2, 3] {
      let sum = withParallelism(threads: threads) { x.summed(toShape: target) }
      #expect(sum.shape == target)
      let worst = zip(sum.scalars, expected).map { abs(Double($0) - $1) / Swift.max(1, abs($1)) }.max() ?? 0
      #expect(worst < 1e-4, "\(threads) threads: worst relative error \(worst)")
      let broadcast = withParallelism(threads: threads) { small.broadcast(to: x.shape) }
      #expect(broadcast.scalars == serialBroadcast.scalars)
    }
    let flat = Array(small.scalars)
    #expect(serialBroadcast.scalars.enumerated().allSatisfy { i, v in
      let index = multiIndex(i, x.shape)
      var o = 0
      var step = 1
      for d in stride(from: 3, through: 0, by: -1) where padded[d] != 1 { o += index[d] * step; step *= padded[d] }
      return v == flat[o]
    })
  }

  @Test(arguments: [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2], [-1], [-3, -2]])
  func sumAndMeanAlongAxes(axes: [Int]) {
    var rng = SplitMix64(seed: stableSeed("sum \(axes)"))
    let x = randomTensor([3, 4, 5], &rng)
    let normalized = Set(axes.map { $0 < 0 ? $0 + 3 : $0 })
    let shape = [3, 4, 5].enumerated().map { normalized.contains($0.offset) ? 1 : $0.element }
    let expected = naiveSum(x, axes: normalized)
    expectClose(x.sum(alongAxes: axes), expected, shape: shape)
    let count = Double(normalized.reduce(1) { $0 * [3, 4, 5][$1] })
    expectClose(x.mean(alongAxes: axes), expected.map { $0 / count }, shape: shape)
  }

  @Test func totalSumAndMean() {
    let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(t.sum().shape == [])
    #expect(t.sum().scalar == 21)
    #expect(t.mean().scalar == 3.5)
    #expect(t.sum(alongAxes: [1]).scalars == [6, 15])
    #expect(t.sum(alongAxes: [1]).shape == [2, 1])
  }

  @Test func summedToShapeIsTheAdjointOfBroadcast() {
    var rng = SplitMix64(seed: 11)
    for (small, big) in [([3, 1], [2, 3, 4]), ([4], [3, 4]), ([], [2, 2]), ([1, 4, 1], [2, 4, 3]), ([2, 3], [2, 3])] {
      let x = randomTensor(small, &rng)
      let y = randomTensor(big, &rng)
      let bx = x.broadcast(to: big)
      #expect(bx.shape == big)
      // broadcast is the NumPy broadcast of x against zeros of the big shape.
      expectClose(bx, naiveBroadcast(x, Tensor(zeros: big), { a, _ in a }).values, shape: big)
      let sy = y.summed(toShape: small)
      #expect(sy.shape == small)
      #expect(abs(dot(bx, y) - dot(x, sy)) <= 1e-4 * Swift.max(1, abs(dot(bx, y))), "⟨Bx, y⟩ = ⟨x, Bᵀy⟩ for \(small) → \(big)")
    }
    let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(t.summed(toShape: [3]).scalars == [5, 7, 9])
    #expect(t.summed(toShape: [2, 1]).scalars == [6, 15])
    #expect(t.summed(toShape: []).scalars == [21])
  }

  @Test func maxAndArgmaxAlongLastAxis() {
    let t = Tensor(shape: [3, 4], scalars: [1, 5, 2, 5, -3, -1, -2, -7, 0, 0, 0, 0])
    #expect(t.maxAlongLastAxis().shape == [3, 1])
    #expect(t.maxAlongLastAxis().scalars == [5, -1, 0])
    #expect(t.argmaxAlongLastAxis() == [1, 1, 0], "ties go to the first maximum")
    let column = Tensor(shape: [2, 1], scalars: [3, 4])
    #expect(column.argmaxAlongLastAxis() == [0, 0])
  }
}

@Suite struct ShapeKernelTests {
  @Test func reshapeInfersOneDimension() {
    let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
    #expect(t.reshaped(to: [4, -1]).shape == [4, 6])
    #expect(t.reshaped(to: [-1]).shape == [24])
    #expect(t.reshaped(to: [6, 4]).scalars == t.scalars)
  }

  @Test(arguments: [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0], [0, 2, 1]])
  func permuted(axes: [Int]) {
    let shape = [2, 3, 4]
    let t = Tensor(shape: shape, scalars: (0..<24).map(Float.init))
    let p = t.permuted(axes)
    let newShape = axes.map { shape[$0] }
    #expect(p.shape == newShape)
    for flat in 0..<24 {
      let index = multiIndex(flat, newShape)
      var source = [0, 0, 0]
      for (i, a) in axes.enumerated() { source[a] = index[i] }
      #expect(p.scalars[flat] == t[source[0], source[1], source[2]])
    }
  }

  @Test func transposed() {
    let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(t.transposed().shape == [3, 2])
    #expect(t.transposed().scalars == [1, 4, 2, 5, 3, 6])
    let batch = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
    #expect(batch.transposed().shape == [2, 2, 1])
  }

  @Test func concatenateSliceEmbed() {
    let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    let b = Tensor(shape: [2, 3], scalars: [5, 6, 7, 8, 9, 10])
    let c = Tensor.concatenating([a, b], alongAxis: 1)
    #expect(c.shape == [2, 5])
    #expect(c.scalars == [1, 2, 5, 6, 7, 3, 4, 8, 9, 10])
    #expect(Tensor.concatenating([a, b], alongAxis: -1) == c)
    let d = Tensor.concatenating([a, a.map { $0 + 10 }], alongAxis: 0)
    #expect(d.shape == [4, 2])
    #expect(d.scalars == [1, 2, 3, 4, 11, 12, 13, 14])
    #expect(c.slice(alongAxis: 1, 2..<5) == b)
    #expect(c.slice(alongAxis: -1, 0..<2) == a)
    #expect(c.slice(alongAxis: 0, 1..<2).scalars == [3, 4, 8, 9, 10])
    let e = a.embedded(alongAxis: 1, at: 1, extent: 4)
    #expect(e.shape == [2, 4])
    #expect(e.scalars == [0, 1, 2, 0, 0, 3, 4, 0])
    #expect(e.slice(alongAxis: 1, 1..<3) == a)
    // Rank 3, middle axis.
    let t = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
    #expect(t.slice(alongAxis: 1, 1..<2).scalars == [2, 3, 8, 9])
    #expect(Tensor.concatenating([t.slice(alongAxis: 1, 0..<1), t.slice(alongAxis: 1, 1..<3)], alongAxis: 1) == t)
  }

  @Test func gatherAndScatterAdd() {
    let t = Tensor(shape: [2, 3], scalars: [10, 20, 30, 40, 50, 60])
    let g = t.gathering(flatIndices: [5, 0, 0, 3], shape: [2, 2])
    #expect(g.shape == [2, 2])
    #expect(g.scalars == [60, 10, 10, 40])
    let s = Tensor(shape: [4], scalars: [1, 2, 3, 4]).scatteringAdd(flatIndices: [5, 0, 0, 3], shape: [2, 3])
    #expect(s.scalars == [5, 0, 0, 4, 0, 1], "duplicate indices accumulate")
    // Adjointness on random data.
    var rng = SplitMix64(seed: 5)
    let x = randomTensor([3, 4], &rng)
    let indices: [Int32] = (0..<10).map { _ in Int32(rng.next() % 12) }
    let y = randomTensor([10], &rng)
    #expect(abs(dot(x.gathering(flatIndices: indices, shape: [10]), y) - dot(x, y.scatteringAdd(flatIndices: indices, shape: [3, 4]))) < 1e-4)
  }
}

@Suite struct MatmulKernelTests {
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func allTransposeCombinations(transposingA: Bool, transposingB: Bool) {
    var rng = SplitMix64(seed: stableSeed("matmul \(transposingA) \(transposingB)"))
    let (m, k, n) = (5, 7, 3)
    let a = randomTensor(transposingA ? [k, m] : [m, k], &rng)
    let b = randomTensor(transposingB ? [n, k] : [k, n], &rng)
    let c = Tensor.matmul(a, b, transposingA: transposingA, transposingB: transposingB)
    expectClose(c, naiveMatmul(a, b, transposingA: transposingA, transposingB: transposingB), shape: [m, n])
  }

  /// Whatever OpenBLAS's kernel, a float32 product gives the same bits on
  /// any number of threads: one block per thread where the kernel sums a
  /// block as the whole product (SkylakeX), blocks fixed by the shape where
  /// it does not (Haswell, the generic kernel). The shapes are large enough
  /// to split, tall results by rows and wide ones by columns, in every
  /// transpose combination.
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func productsAreTheSameOnAnyNumberOfThreads(transposingA: Bool, transposingB: Bool) {
    var rng = SplitMix64(seed: stableSeed("matmul threads \(transposingA) \(transposingB)"))
    BLASRuntime.withThreadCount(1) {
      for (m, k, n) in [(515, 256, 130), (70, 1250, 1001), (64, 784, 128)] {
        let a = randomTensor(transposingA ? [k, m] : [m, k], &rng)
        let b = randomTensor(transposingB ? [n, k] : [k, n], &rng)
        #expect(m * n * k >= Parallelism.minimumMultiplyAddsToSplit)
        let one = Tensor.matmul(a, b, transposingA: transposingA, transposingB: transposingB)
        for threads in [2, 3] {
          let split = withParallelism(threads: threads) { Tensor.matmul(a, b, transposingA: transposingA, transposingB: transposingB) }
          #expect(split == one, "[\(m), \(k)]·[\(k), \(n)] on \(threads) threads, OpenBLAS kernel \(BLASRuntime.coreName)")
        }
      }
    }
  }

  @Test func handComputedAndDegenerate() {
    let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    let b = Tensor(shape: [2, 2], scalars: [5, 6, 7, 8])
    #expect(Tensor.matmul(a, b).scalars == [19, 22, 43, 50])
    #expect(Tensor.matmul(a, b, transposingA: true).scalars == [26, 30, 38, 44])
    // Inner dimension zero gives zeros; a 1×1 product is a scalar product.
    #expect(Tensor.matmul(Tensor(zeros: [2, 0]), Tensor(zeros: [0, 3])) == Tensor(zeros: [2, 3]))
    #expect(Tensor.matmul(Tensor(shape: [1, 1], scalars: [3]), Tensor(shape: [1, 1], scalars: [4])).scalar == 12)
  }
}

@Suite struct ConvolutionKernelTests {
  static let configs: [ConvConfig] = [
    ConvConfig(input: [2, 3, 4, 5], filter: [4, 3, 1, 1], stride: 1, padding: 0),  // pointwise path
    ConvConfig(input: [1, 2, 5, 4], filter: [3, 2, 1, 1], stride: 2, padding: 0),
    ConvConfig(input: [1, 2, 3, 3], filter: [2, 2, 1, 1], stride: 1, padding: 1),
    ConvConfig(input: [2, 2, 5, 7], filter: [3, 2, 3, 3], stride: 1, padding: 0),
    ConvConfig(input: [1, 3, 6, 5], filter: [2, 3, 3, 3], stride: 1, padding: 1),
    ConvConfig(input: [2, 3, 7, 6], filter: [2, 3, 3, 3], stride: 2, padding: 1),
    ConvConfig(input: [1, 2, 5, 6], filter: [3, 2, 3, 3], stride: 2, padding: 2),
    ConvConfig(input: [1, 2, 4, 6], filter: [2, 2, 2, 3], stride: 1, padding: 2),
    ConvConfig(input: [1, 1, 3, 1], filter: [2, 1, 3, 5], stride: 1, padding: 2),  // kernel wider than the input
    ConvConfig(input: [1, 2, 8, 7], filter: [1, 2, 4, 2], stride: 3, padding: 1),
    // Shifted-plane rows (stride 1, output as wide as the input):
    ConvConfig(input: [2, 3, 6, 5], filter: [4, 3, 3, 3], stride: 1, padding: 1),
    ConvConfig(input: [1, 2, 7, 6], filter: [3, 2, 5, 5], stride: 1, padding: 2),
    ConvConfig(input: [2, 2, 5, 4], filter: [3, 2, 1, 3], stride: 1, padding: 1),  // taller output than input
    ConvConfig(input: [1, 2, 2, 3], filter: [3, 2, 5, 7], stride: 1, padding: 3),  // kernel taller than the input
  ]

  @Test(arguments: configs, ConvolutionBackend.allCases)
  func conv2dMatchesSevenLoops(config g: ConvConfig, backend: ConvolutionBackend) {
    ConvolutionBackend.$current.withValue(backend) {
      var rng = SplitMix64(seed: stableSeed("conv " + g.testDescription))
      let x = randomTensor(g.input, &rng)
      let w = randomTensor(g.filter, &rng)
      expectClose(Tensor.conv2d(x, filter: w, stride: g.stride, padding: g.padding), naiveConv2d(x, w, g), shape: g.output)
    }
  }

  @Test(arguments: configs, ConvolutionBackend.allCases)
  func inputAndFilterGradientsMatchNaive(config g: ConvConfig, backend: ConvolutionBackend) {
    ConvolutionBackend.$current.withValue(backend) {
      var rng = SplitMix64(seed: stableSeed("conv adjoint " + g.testDescription))
      let x = randomTensor(g.input, &rng)
      let w = randomTensor(g.filter, &rng)
      let dy = randomTensor(g.output, &rng)
      let dx = Tensor.conv2dInputGradient(dy, filter: w, inputShape: g.input, stride: g.stride, padding: g.padding)
      expectClose(dx, naiveConv2dInputGradient(dy, w, g), shape: g.input)
      let dw = Tensor.conv2dFilterGradient(x, outputGradient: dy, filterShape: g.filter, stride: g.stride, padding: g.padding)
      expectClose(dw, naiveConv2dFilterGradient(x, dy, g), shape: g.filter)
      // The adjoint triangle: ⟨conv(x, w), dy⟩ = ⟨x, convInput(dy, w)⟩ = ⟨w, convFilter(x, dy)⟩.
      let y = Tensor.conv2d(x, filter: w, stride: g.stride, padding: g.padding)
      let reference = dot(y, dy)
      #expect(abs(dot(x, dx) - reference) <= 1e-4 * Swift.max(1, abs(reference)))
      #expect(abs(dot(w, dw) - reference) <= 1e-4 * Swift.max(1, abs(reference)))
    }
  }

  /// oneDNN keeps what a call of one shape needs (its plan) per thread and
  /// reuses it: calls of a shape on other buffers, between calls of another
  /// shape, with and without a bias, in float32 and bfloat16, each give
  /// their own result, the same bit for bit every time.
  @Test(.enabled(if: ConvolutionBackend.isOneDNNAvailable))
  func repeatedShapesOnOtherBuffersGiveTheirOwnResults() {
    ConvolutionBackend.$current.withValue(.oneDNN) {
      let g = Self.configs[10], other = Self.configs[3]  // four and three output channels: both on oneDNN
      var rng = SplitMix64(seed: stableSeed("conv plans"))
      let xs = (0..<3).map { _ in randomTensor(g.input, &rng) }
      let dys = (0..<3).map { _ in randomTensor(g.output, &rng) }
      let w = randomTensor(g.filter, &rng)
      let bias = randomTensor([g.filter[0]], &rng)
      let (ox, ow) = (randomTensor(other.input, &rng), randomTensor(other.filter, &rng))
      func passes(_ i: Int) -> [Tensor] {
        [Tensor.conv2d(xs[i], filter: w, stride: g.stride, padding: g.padding),
         Tensor.conv2d(xs[i], filter: w, bias: bias, stride: g.stride, padding: g.padding),
         Tensor.conv2dInputGradient(dys[i], filter: w, inputShape: g.input, stride: g.stride, padding: g.padding),
         Tensor.conv2dFilterGradient(xs[i], outputGradient: dys[i], filterShape: g.filter, stride: g.stride, padding: g.padding),
         Tensor.conv2d(ox, filter: ow, stride: other.stride, padding: other.padding)]
      }
      for precision in Precision.allCases {
        Precision.$current.withValue(precision) {
          let first = (0..<3).map(passes)
          for i in [2, 0, 1, 1, 0] {
            #expect(passes(i).map(\.scalars) == first[i].map(\.scalars), "\(precision), buffers \(i)")
          }
          guard precision == .float32 else { return }
          for i in 0..<3 {
            expectClose(first[i][0], naiveConv2d(xs[i], w, g), shape: g.output)
            let biased = naiveConv2d(xs[i], w, g).enumerated().map { j, y in y + Double(bias.scalars[j / (g.outputHeight * g.outputWidth) % g.filter[0]]) }
            expectClose(first[i][1], biased, shape: g.output)
            expectClose(first[i][2], naiveConv2dInputGradient(dys[i], w, g), shape: g.input)
            expectClose(first[i][3], naiveConv2dFilterGradient(xs[i], dys[i], g), shape: g.filter)
          }
        }
      }
    }
  }

  /// Batches large enough that several images share one patch-matrix block
  /// (`sgemm` over the block), that a thread's share spans several blocks,
  /// and that 2 or 3 threads get unequal shares.
  static let blockedConfigs: [ConvConfig] = [
    ConvConfig(input: [40, 1, 28, 28], filter: [3, 1, 3, 3], stride: 1, padding: 1),  // one input channel, 2 blocks
    ConvConfig(input: [11, 16, 14, 14], filter: [4, 16, 3, 3], stride: 1, padding: 1),  // 2 blocks of 9 at most
    ConvConfig(input: [20, 16, 15, 15], filter: [2, 16, 3, 3], stride: 2, padding: 1),  // stride 2, 3 blocks
    ConvConfig(input: [7, 2, 8, 8], filter: [3, 2, 3, 3], stride: 1, padding: 2),
    ConvConfig(input: [9, 3, 9, 9], filter: [2, 3, 3, 3], stride: 2, padding: 0),
    ConvConfig(input: [5, 4, 6, 6], filter: [3, 4, 1, 1], stride: 1, padding: 0),  // pointwise, one image per block
    ConvConfig(input: [9, 16, 28, 28], filter: [1, 16, 3, 3], stride: 1, padding: 1),  // direct: a generator's last layer
    ConvConfig(input: [6, 3, 9, 10], filter: [2, 3, 5, 3], stride: 1, padding: 2),  // direct, two outputs, 5×3 taps
    ConvConfig(input: [3, 2, 4, 3], filter: [1, 2, 3, 5], stride: 1, padding: 2),  // direct, kernel wider than input
    ConvConfig(input: [11, 32, 14, 14], filter: [16, 32, 3, 3], stride: 1, padding: 1),  // shifted-plane rows
  ]

  @Test(arguments: blockedConfigs, ConvolutionBackend.allCases)
  func blockedAndThreadedKernelsMatchNaive(config g: ConvConfig, backend: ConvolutionBackend) {
    ConvolutionBackend.$current.withValue(backend) {
      var rng = SplitMix64(seed: stableSeed("conv blocks " + g.testDescription))
      let x = randomTensor(g.input, &rng)
      let w = randomTensor(g.filter, &rng)
      let dy = randomTensor(g.output, &rng)
      let bias = randomTensor([g.filter[0]], &rng)
      let (y0, dx0, dw0) = (naiveConv2d(x, w, g), naiveConv2dInputGradient(dy, w, g), naiveConv2dFilterGradient(x, dy, g))
      let plane = g.outputHeight * g.outputWidth
      let biased = y0.enumerated().map { $0.element + Double(bias.scalars[($0.offset / plane) % g.filter[0]]) }
      for threads in [1, 2, 3] {
        withParallelism(threads: threads) {
          expectClose(Tensor.conv2d(x, filter: w, stride: g.stride, padding: g.padding), y0, shape: g.output)
          expectClose(Tensor.conv2d(x, filter: w, bias: bias, stride: g.stride, padding: g.padding), biased, shape: g.output)
          let dx = Tensor.conv2dInputGradient(dy, filter: w, inputShape: g.input, stride: g.stride, padding: g.padding)
          expectClose(dx, dx0, shape: g.input)
          let dw = Tensor.conv2dFilterGradient(x, outputGradient: dy, filterShape: g.filter, stride: g.stride, padding: g.padding)
          expectClose(dw, dw0, shape: g.filter, tolerance: 1e-4)
        }
      }
    }
  }

  @Test func handComputedConvolution() {
    // 1×1×3×3 input 1…9, 2×2 kernel of ones: sums of 2×2 windows.
    let x = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
    let w = Tensor(ones: [1, 1, 2, 2])
    #expect(Tensor.conv2d(x, filter: w).scalars == [12, 16, 24, 28])
    // Padding 1, stride 2: corners of the zero-padded 5×5 input.
    #expect(Tensor.conv2d(x, filter: w, stride: 2, padding: 1).scalars == [1, 5, 11, 28])
  }
}

@Suite struct PoolingKernelTests {
  /// The 2×2/2 kernel handles four windows at a time plus a scalar tail;
  /// odd sizes drop the last row and column. Values drawn from a few levels
  /// make ties common: the first maximum in row-major order wins.
  @Test(arguments: [[2, 3, 12, 18], [1, 2, 13, 19], [3, 1, 8, 8], [1, 1, 2, 2], [1, 2, 5, 3]])
  func twoByTwoMaxPoolMatchesNaiveWithTies(shape: [Int]) {
    var rng = SplitMix64(seed: stableSeed("pool2 \(shape)"))
    let x = Tensor(shape: shape, scalars: (0..<shape.product).map { _ in Float(Int.random(in: -2...2, using: &rng)) })
    let (h, w) = (shape[2], shape[3])
    var expected: [Int32] = []
    for plane in 0..<(shape[0] * shape[1]) {
      for i in 0..<(h / 2) {
        for j in 0..<(w / 2) {
          let window = [(2 * i, 2 * j), (2 * i, 2 * j + 1), (2 * i + 1, 2 * j), (2 * i + 1, 2 * j + 1)]
            .map { plane * h * w + $0.0 * w + $0.1 }
          let best = window.map { x.scalars[$0] }.max()!
          expected.append(Int32(window.first { x.scalars[$0] == best }!))
        }
      }
    }
    let (indices, pooledShape) = x.maxPool2dIndices(kernelSize: 2, stride: 2)
    #expect(pooledShape == [shape[0], shape[1], h / 2, w / 2])
    #expect(indices == expected)
    let (values, fusedIndices) = x.maxPool2d(kernelSize: 2, stride: 2)
    #expect(fusedIndices == expected)
    #expect(values.shape == pooledShape)
    #expect(values.scalars == expected.map { x.scalars[Int($0)] })
  }

  @Test(arguments: [(2, 2, 0), (3, 1, 1), (3, 2, 1), (2, 1, 0), (1, 1, 0), (4, 3, 2)])
  func maxAndAveragePoolMatchNaive(kernel: Int, stride: Int, padding: Int) {
    var rng = SplitMix64(seed: stableSeed("pool \(kernel) \(stride) \(padding)"))
    let x = randomTensor([2, 3, 7, 6], &rng)
    let (indices, shape) = x.maxPool2dIndices(kernelSize: kernel, stride: stride, padding: padding)
    let maxPooled = x.gathering(flatIndices: indices, shape: shape)
    let naiveMax = naivePool(x, kernel: kernel, stride: stride, padding: padding) { $0.compactMap { $0 }.max()! }
    expectClose(maxPooled, naiveMax.values, shape: naiveMax.shape)
    let naiveAverage = naivePool(x, kernel: kernel, stride: stride, padding: padding) {
      $0.compactMap { $0 }.reduce(0, +) / Double(kernel * kernel)
    }
    let average = x.averagePool2d(kernelSize: kernel, stride: stride, padding: padding)
    expectClose(average, naiveAverage.values, shape: naiveAverage.shape)
    // The adjoint really is the adjoint.
    let g = randomTensor(average.shape, &rng)
    let back = g.averagePool2dAdjoint(inputShape: x.shape, kernelSize: kernel, stride: stride, padding: padding)
    #expect(abs(dot(average, g) - dot(x, back)) < 1e-4 * Swift.max(1, abs(dot(average, g))))
  }

  /// The 2×2 adjoint (per-plane clear and store, threaded for large
  /// tensors) equals the general scatter-add, odd sizes included.
  @Test(arguments: [[2, 3, 12, 18], [1, 2, 13, 19], [64, 16, 28, 28]])
  func twoByTwoMaxPoolAdjointEqualsScatterAdd(shape: [Int]) {
    var rng = SplitMix64(seed: stableSeed("pool2 adjoint \(shape)"))
    let x = Tensor(randomNormal: shape, using: &rng)
    let (values, indices) = x.maxPool2d(kernelSize: 2, stride: 2)
    let g = Tensor(randomNormal: values.shape, using: &rng)
    let expected = g.scatteringAdd(flatIndices: indices, shape: shape)
    for threads in [1, 2] {
      withParallelism(threads: threads) {
        #expect(g.maxPool2x2Adjoint(indices: indices, inputShape: shape) == expected)
      }
    }
  }

  @Test func maxPoolTiesAndPaddingAreHandComputed() {
    let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 3, 3, 2, 3, 0, -1, -5])
    let (indices, shape) = x.maxPool2dIndices(kernelSize: 2, stride: 2)
    #expect(shape == [1, 1, 1, 2])
    #expect(indices == [1, 2], "ties go to the first maximum in row-major window order")
    // Negative inputs with padding: padding is never selected.
    let negative = Tensor(repeating: -4, shape: [1, 1, 2, 2])
    let padded = negative.maxPool2dIndices(kernelSize: 2, stride: 1, padding: 1)
    #expect(padded.shape == [1, 1, 3, 3])
    #expect(negative.gathering(flatIndices: padded.indices, shape: padded.shape).scalars.allSatisfy { $0 == -4 })
    // Average pooling counts the padding in the divisor.
    #expect(Tensor(ones: [1, 1, 2, 2]).averagePool2d(kernelSize: 2, stride: 1, padding: 1).scalars
      == [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
  }

  @Test func nearestUpsampling() {
    let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
    let (indices, shape) = Tensor.upsamplingIndices(shape: x.shape, factor: 2)
    #expect(shape == [1, 1, 4, 4])
    #expect(x.gathering(flatIndices: indices, shape: shape).scalars
      == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    let y = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4])
    let (i3, s3) = Tensor.upsamplingIndices(shape: y.shape, factor: 3)
    #expect(s3 == [1, 2, 3, 6])
    #expect(y.gathering(flatIndices: i3, shape: s3).scalars
      == [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4])
  }

  /// The upsampling kernel and its block-sum adjoint equal the gather of
  /// ``upsamplingIndices`` and its scatter-add, bit for bit, threaded or not.
  @Test(arguments: [([1, 2, 3, 2], 2), ([2, 3, 4, 5], 3), ([64, 32, 14, 14], 2), ([3, 1, 2, 2], 1), ([2, 2, 5, 9], 2)])
  func nearestUpsamplingKernelsEqualGatherAndScatter(shape: [Int], factor: Int) {
    let (indices, upShape) = Tensor.upsamplingIndices(shape: shape, factor: factor)
    expectKernelsEqualGatherAndScatter(
      seed: "upsample \(shape) \(factor)", input: shape, indices: indices, output: upShape,
      kernel: { $0.upsampledNearest(by: factor) }, adjoint: { $0.summingBlocks(of: factor) })
  }

  @Test(arguments: [([2, 3, 5, 7], 1), ([1, 2, 9, 4], 3), ([3, 40, 14, 14], 1)])
  func reflectionPaddingKernelsMatchTheGatherAndItsScatter(shape: [Int], padding: Int) {
    let (indices, padded) = Tensor.reflectionPaddingIndices(shape: shape, padding: padding)
    expectKernelsEqualGatherAndScatter(
      seed: "reflection \(shape) \(padding)", input: shape, indices: indices, output: padded,
      kernel: { $0.reflectionPadded(by: padding) }, adjoint: { $0.reflectionPaddingAdjoint(by: padding) })
  }

  /// `kernel` on a random tensor of shape `input` equals the gather of
  /// `indices` (shape `output`), and `adjoint` on a random gradient equals its
  /// scatter-add, bit for bit, on 1 and 2 threads.
  func expectKernelsEqualGatherAndScatter(
    seed: String, input: [Int], indices: [Int32], output: [Int],
    kernel: (Tensor) -> Tensor, adjoint: (Tensor) -> Tensor, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var rng = SplitMix64(seed: stableSeed(seed))
    let x = Tensor(randomNormal: input, using: &rng)
    let g = Tensor(randomNormal: output, using: &rng)
    for threads in [1, 2] {
      withParallelism(threads: threads) {
        #expect(kernel(x) == x.gathering(flatIndices: indices, shape: output), sourceLocation: sourceLocation)
        #expect(adjoint(g) == g.scatteringAdd(flatIndices: indices, shape: input), sourceLocation: sourceLocation)
      }
    }
  }

  @Test func reflectionPaddingMatchesPyTorch() {
    // torch.nn.ReflectionPad2d(2)(torch.arange(9.).reshape(1, 1, 3, 3))
    let x = Tensor(shape: [1, 1, 3, 3], scalars: (0..<9).map(Float.init))
    let (indices, shape) = Tensor.reflectionPaddingIndices(shape: x.shape, padding: 2)
    #expect(shape == [1, 1, 7, 7])
    let expected: [Float] = [
      8, 7, 6, 7, 8, 7, 6,
      5, 4, 3, 4, 5, 4, 3,
      2, 1, 0, 1, 2, 1, 0,
      5, 4, 3, 4, 5, 4, 3,
      8, 7, 6, 7, 8, 7, 6,
      5, 4, 3, 4, 5, 4, 3,
      2, 1, 0, 1, 2, 1, 0,
    ]
    #expect(x.gathering(flatIndices: indices, shape: shape).scalars == expected)
    #expect(x.reflectionPadded(by: 2).scalars == expected)
    // Non-square, two planes, padding 1.
    let y = Tensor(shape: [1, 2, 2, 3], scalars: (0..<12).map(Float.init))
    let (i1, s1) = Tensor.reflectionPaddingIndices(shape: y.shape, padding: 1)
    #expect(s1 == [1, 2, 4, 5])
    #expect(y.gathering(flatIndices: i1, shape: s1).scalars == [
      4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4, 1, 0, 1, 2, 1,
      10, 9, 10, 11, 10, 7, 6, 7, 8, 7, 10, 9, 10, 11, 10, 7, 6, 7, 8, 7,
    ])
  }
}

@Suite struct RandomTests {
  @Test func seededStreamsAreReproducible() {
    var a = SplitMix64(seed: 42)
    var b = SplitMix64(seed: 42)
    #expect(Tensor(randomNormal: [5, 3], using: &a) == Tensor(randomNormal: [5, 3], using: &b))
    var c = SplitMix64(seed: 43)
    var d = SplitMix64(seed: 42)
    #expect(Tensor(randomNormal: [5, 3], using: &c) != Tensor(randomNormal: [5, 3], using: &d))
    // SplitMix64 reference value (seed 0, first output).
    var zero = SplitMix64(seed: 0)
    #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
  }

  @Test func derivedStreamSeedsAreDistinctAndStable() {
    // Stream 0 is the seed itself; the values searches and studies were run with.
    #expect(SplitMix64.seed(7, stream: 0) == 7)
    #expect(SplitMix64.seed(0, stream: 1) == 0x9E37_79B9_7F4A_7C15)
    #expect(SplitMix64.seed(1, stream: 2) == 0x3C6E_F372_FE94_F82B)
    for base: UInt64 in [0, 1, 42, .max] {
      let seeds = (0..<1000).map { SplitMix64.seed(base, stream: UInt64($0)) }
      #expect(Set(seeds).count == seeds.count, "streams of seed \(base) collide")
    }
  }

  @Test func distributionsHaveTheRightMoments() {
    var rng = SplitMix64(seed: 9)
    let n = Tensor(randomNormal: [20001], mean: 2, standardDeviation: 3, using: &rng)
    let mean = n.mean().scalar
    let variance = (n - mean).squared().mean().scalar
    #expect(abs(mean - 2) < 0.1)
    #expect(abs(variance.squareRoot() - 3) < 0.1)
    let u = Tensor(randomUniform: [20000], lowerBound: -1, upperBound: 3, using: &rng)
    #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 3 })
    #expect(abs(u.mean().scalar - 1) < 0.05)
  }
}

/// Kernels that split large tensors across threads give bit-identical
/// results to the serial loops (every element is computed the same way).
@Suite struct ParallelKernelTests {
  @Test func threadedElementwiseKernelsEqualSerial() {
    var rng = SplitMix64(seed: 11)
    // 128×16×28×28 elements: above the split threshold, an odd number of planes per share.
    let x = Tensor(randomNormal: [128, 16, 28, 28], using: &rng)
    let y = Tensor(randomNormal: [128, 16, 28, 28], using: &rng)
    let indices = (0..<70_001).map { _ in Int32.random(in: 0..<Int32(x.scalarCount), using: &rng) }
    func all() -> [Tensor] {
      [x + y, x * y, x - y, x / y, x.tanh(), x.leakyRelu(slope: 0.1), x.relu(),
       x.gathering(flatIndices: indices, shape: [70_001]),
       x.gathering(flatIndices: x.maxPool2dIndices(kernelSize: 2, stride: 2).indices, shape: [128, 16, 14, 14]),
       x.slice(alongAxis: 0, 3..<100), x.slice(alongAxis: 1, 2..<5)]
    }
    let serial = all()
    // The dot product sums per-share partial sums: equal up to rounding.
    let serialDot = Double(x.dot(y))
    let exactDot = zip(x.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(abs(serialDot - exactDot) < 1e-3 * Double(x.scalarCount).squareRoot())
    for threads in [2, 3] {
      let dot = Double(withParallelism(threads: threads) { x.dot(y) })
      #expect(abs(dot - exactDot) < 1e-3 * Double(x.scalarCount).squareRoot(), "\(threads) threads: \(dot) vs \(exactDot)")
      let threaded = withParallelism(threads: threads) { all() }
      for (s, t) in zip(serial, threaded) {
        #expect(s.shape == t.shape)
        #expect(s.scalars == t.scalars)
      }
    }
  }
}

/// The elementwise C kernels (`_GTNKernels`, one clone per x86-64 feature
/// level) give exactly what their scalar definitions give, for lengths that
/// exercise every vector tail, with signed zeros, infinities, NaN and
/// subnormals among the inputs.
@Suite struct ElementwiseKernelCloneTests {
  static let lengths = [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 1_000, 70_001]

  func inputs(_ count: Int, seed: UInt64) -> [Float] {
    var g = SplitMix64(seed: seed)
    let subnormal = Float.leastNormalMagnitude / 3
    let special: [Float] = [0, -0.0, .infinity, -.infinity, .nan, subnormal, -subnormal, 9.5, -10.5, 30]
    return (0..<count).map { i in
      i % 13 == 5 ? special[(i / 13) % special.count] : Float.random(in: -4...4, using: &g)
    }
  }

  func same(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
  }

  /// Each instruction-set build of the kernels that this CPU can run (on an
  /// AVX-512 machine: all three) gives the dispatched build's bits.
  @Test func everyBuildGivesTheSameBits() {
    let (differences, builds) = KernelRuntime.compareBuilds()
    #expect(differences == 0)
    #if arch(x86_64) && os(Linux)
    #expect(builds >= 1, "no instruction-set build was compared")
    #endif
    print("kernel builds compared on this CPU (\(KernelRuntime.instructionSet)): \(builds), differing kernels: \(differences)")
  }

  /// The throughput loop behind `KernelRuntime.measureFMAPeakGFLOPS()` does
  /// the work it counts: 12 chains of fused multiply-adds per vector lane,
  /// each rounded once per round (a product rounded before the sum would
  /// differ in the bits).
  @Test func fmaThroughputLoopComputesItsChains() {
    let rounds = 1_000
    let (start, step, multiplier, addend): (Float, Float, Float, Float) = (1, 0.001, 1e-4, 5e-4)
    let (sum, lanes) = KernelRuntime.fmaRounds(rounds, start: start, step: step, multiplier: multiplier, addend: addend)
    #expect([48, 96, 192].contains(lanes))
    #if arch(x86_64) && os(Linux)
    if KernelRuntime.instructionSet == "x86-64-v4" { #expect(lanes == 192) }
    #endif
    var expected: Float = 0
    for lane in 0..<lanes {
      var value = start + Float(lane) * step
      for _ in 0..<rounds { value = value.addingProduct(multiplier, addend) }
      expected += value
    }
    #expect(sum.bitPattern == expected.bitPattern)
    #expect(KernelRuntime.fmaRounds(0, start: start, step: step).sum == (0..<lanes).reduce(Float(0)) { $0 + (start + Float($1) * step) })
  }

  @Test(arguments: lengths) func unaryKernels(count: Int) {
    let x = inputs(count, seed: UInt64(count))
    let t = Tensor(shape: [count], scalars: x)
    #expect(same(t.tanh().scalars, x.map(_tanhf)))
    #expect(same(t.leakyRelu(slope: 0.1).scalars, x.map { $0 > 0 ? $0 : 0.1 * $0 }))
    #expect(same(t.relu().scalars, x.map { $0 > 0 ? $0 : 0 }))
    #expect(same((t * 0.3).scalars, x.map { $0 * 0.3 }))
    #expect(same((1.7 * t).scalars, x.map { 1.7 * $0 }))
  }

  @Test(arguments: lengths) func binaryKernels(count: Int) {
    let x = inputs(count, seed: 1 + UInt64(count))
    let y = inputs(count, seed: 2 + UInt64(count)).reversed().map { $0 }
    let (a, b) = (Tensor(shape: [count], scalars: x), Tensor(shape: [count], scalars: y))
    #expect(same((a + b).scalars, zip(x, y).map(+)))
    #expect(same((a - b).scalars, zip(x, y).map(-)))
    #expect(same((a * b).scalars, zip(x, y).map(*)))
    #expect(same((a / b).scalars, zip(x, y).map(/)))
    #expect(same(b.scaledBySign(of: a, negativeSlope: 0.1).scalars, zip(x, y).map { $0 > 0 ? $1 : 0.1 * $1 }))
    #expect(same(a.scaledByTanhDerivative(of: b).scalars, zip(x, y).map { $0 * (1 - $1 * $1) }))
    #expect(same(a.scaled(by: -0.7, adding: b).scalars, zip(x, y).map { $0 * -0.7 + $1 }))
    var sum = a
    sum.add(b, scaledBy: 0.25)
    #expect(same(sum.scalars, zip(x, y).map { $0 + 0.25 * $1 }))
    var plain = a
    plain.add(b)
    #expect(same(plain.scalars, zip(x, y).map(+)))
    // Broadcast runs: a row against a scalar on either side, and a scalar
    // against a scalar.
    guard count > 0 else { return }
    let s = Tensor(shape: [1], scalars: [y[0]])
    #expect(same((a - s).scalars, x.map { $0 - y[0] }))
    #expect(same((s / a).scalars, x.map { y[0] / $0 }))
    let column = Tensor(shape: [count, 1], scalars: x)
    let ones = Tensor(shape: [count, 1], scalars: y)
    #expect(same((column * ones).scalars, zip(x, y).map(*)))
  }
}
