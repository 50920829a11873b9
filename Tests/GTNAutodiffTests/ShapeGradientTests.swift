import GTNAutodiff
import Testing

// Reductions, broadcasting and shape operations: all linear, so each is
// composed with a smooth nonlinearity to make the Hessian check meaningful.

@Suite struct ShapeGradientTests {
  static let cases: [GradientCase] = [
    GradientCase("sum(alongAxes: [0, 2])", [[3, 2, 5]]) { v in (v[0].sum(alongAxes: [0, 2]) * 0.3).tanh() },
    GradientCase("sum(alongAxes: [-1])", [[4, 1, 3]]) { v in v[0].sum(alongAxes: [-1]).squared() },
    GradientCase("sum()", [[2, 3]]) { v in v[0].sum().tanh() },
    GradientCase("mean(alongAxes: [1])", [[3, 5, 2]]) { v in v[0].mean(alongAxes: [1]).tanh() },
    GradientCase("mean()", [[7]]) { v in (v[0].mean() * 3).tanh() },
    GradientCase("summed(toShape: [3, 1])", [[2, 3, 4]]) { v in (v[0].summed(toShape: [3, 1]) * 0.3).tanh() },
    GradientCase("broadcast(to: [2, 3, 4])", [[3, 1]]) { v in v[0].broadcast(to: [2, 3, 4]).tanh() },
    GradientCase("broadcast(to:) from a scalar", [[]]) { v in v[0].broadcast(to: [2, 2]) * Tensor(shape: [2], scalars: [1, -2]) * v[0] },
    GradientCase("reshaped(to: [-1, 6])", [[2, 3, 2]]) { v in v[0].reshaped(to: [-1, 6]).tanh() * Tensor(shape: [6], scalars: [1, 2, 3, 4, 5, 6]) },
    GradientCase("flattenedBatch", [[2, 1, 3, 2]]) { v in v[0].flattenedBatch().tanh() },
    GradientCase("permuted([2, 0, 1])", [[2, 3, 4]]) { v in v[0].permuted([2, 0, 1]).tanh() * Tensor(shape: [3], scalars: [1, 2, 3]) },
    GradientCase("permuted([1, 3, 0, 2])", [[2, 1, 3, 2]]) { v in v[0].permuted([1, 3, 0, 2]).squared() },
    GradientCase("transposed", [[3, 5]]) { v in matmul(v[0].transposed(), v[0]).tanh() },
    GradientCase("concatenating (axis 1)", [[2, 1, 3], [2, 4, 3]]) { v in
      Variable.concatenating([v[0], v[1], v[0]], alongAxis: 1).tanh()
    },
    GradientCase("concatenating (axis -1)", [[3, 2], [3, 1]]) { v in Variable.concatenating([v[0], v[1]], alongAxis: -1).squared() },
    GradientCase("slice(alongAxis: 1, 1..<3)", [[2, 4, 3]]) { v in v[0].slice(alongAxis: 1, 1..<3).tanh() },
    GradientCase("slice(alongAxis: -1, 0..<1)", [[3, 2]]) { v in v[0].slice(alongAxis: -1, 0..<1).squared() },
    GradientCase("overlapping slices and a direct use", [[2, 5, 3]]) { v in
      (v[0].slice(alongAxis: 1, 0..<3) * v[0].slice(alongAxis: 1, 2..<5)).tanh().sum(alongAxes: [1]) * v[0].slice(alongAxis: 1, 4..<5)
        + v[0].slice(alongAxis: 0, 1..<2).sum()
    },
    GradientCase("embedded(alongAxis: 0, at: 1, extent: 4)", [[2, 3]]) { v in v[0].embedded(alongAxis: 0, at: 1, extent: 4).tanh() * v[0].sum() },
    GradientCase("gathering (repeated indices)", [[3, 4]]) { v in
      v[0].gathering(flatIndices: [11, 0, 0, 5, 7, 7, 7, 2], shape: [2, 4]).tanh()
    },
    GradientCase("scatteringAdd (colliding indices)", [[6]]) { v in
      v[0].scatteringAdd(flatIndices: [0, 3, 3, 1, 0, 5], shape: [2, 3]).tanh()
    },
    GradientCase("gatheringRows", [[4, 2, 3]]) { v in v[0].gatheringRows([3, 0, 3, 1]).tanh() },
  ]

  @Test(arguments: cases)
  func shapeGradients(_ c: GradientCase) { runGradientCheck(c) }

  /// Without a recorded graph the engine adds each slice's gradient into
  /// its part of the input's gradient in place; recording, it embeds the
  /// slice's gradient into zeros. Both give the same numbers — for
  /// overlapping slices along different axes, mixed with direct uses.
  @Test func slicesAccumulateInPlaceAsTheyWouldEmbedded() {
    var rng = SplitMix64(seed: 8)
    let x = Variable(Tensor(randomNormal: [3, 6, 4], using: &rng), requiresGradient: true)
    let y = (x.slice(alongAxis: 1, 0..<4) * x.slice(alongAxis: 1, 2..<6)).tanh().sum()
      + (x.slice(alongAxis: 0, 1..<3) * 2).squared().sum() + x.slice(alongAxis: -1, 3..<4).sum() + (x * x).sum()
    let inPlace = gradients(of: y, withRespectTo: [x])[0]
    let embedded = gradients(of: y, withRespectTo: [x], retainingGraph: true)[0]
    #expect(inPlace.value.scalars == embedded.value.scalars)
    var part = Tensor(zeros: [2, 3])
    part.add(Tensor(shape: [2, 1], scalars: [1, 2]), alongAxis: 1, at: 2)
    part.add(Tensor(shape: [2, 2], scalars: [3, 4, 5, 6]), alongAxis: -1, at: 1)
    #expect(part.scalars == [0, 3, 5, 0, 5, 8])
  }

  @Test func variableForwardValues() {
    let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let x = Variable(t)
    #expect(x.sum(alongAxes: [0]).value.scalars == [5, 7, 9])
    #expect(x.sum().value.scalars == [21])
    #expect(x.mean(alongAxes: [1]).value.scalars == [2, 5])
    #expect(x.mean().value.scalar == 3.5)
    #expect(x.summed(toShape: [3]).value.scalars == [5, 7, 9])
    #expect(x.broadcast(to: [2, 2, 3]).value.scalars == t.scalars + t.scalars)
    #expect(x.reshaped(to: [3, 2]).shape == [3, 2])
    #expect(x.flattenedBatch().shape == [2, 3])
    #expect(x.transposed().value == t.transposed())
    #expect(x.permuted([1, 0]).value == t.transposed())
    #expect(Variable.concatenating([x, x], alongAxis: 0).value.scalars == t.scalars + t.scalars)
    #expect(x.slice(alongAxis: 1, 1..<2).value.scalars == [2, 5])
    #expect(x.embedded(alongAxis: 0, at: 0, extent: 3).value.scalars == t.scalars + [0, 0, 0])
    #expect(x.gathering(flatIndices: [5, 1], shape: [2]).value.scalars == [6, 2])
    #expect(x.scatteringAdd(flatIndices: [0, 0, 0, 1, 1, 1], shape: [2]).value.scalars == [6, 15])
    #expect(x.gatheringRows([1, 1, 0]).value.scalars == [4, 5, 6, 4, 5, 6, 1, 2, 3])
    #expect(x.gatheringRows([1, 1, 0]).shape == [3, 3])
  }

  @Test func handComputedShapeGradients() {
    let x = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), requiresGradient: true)
    let weights = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    // The gradient of a permutation is the inverse permutation of the upstream.
    let g = gradients(of: (x.transposed() * weights).sum(), withRespectTo: [x])[0]
    #expect(g.value.scalars == [1, 3, 5, 2, 4, 6])
    // Rows gathered twice collect the gradient twice.
    let r = gradients(of: x.gatheringRows([1, 1, 0]).sum(), withRespectTo: [x])[0]
    #expect(r.value.scalars == [1, 1, 1, 2, 2, 2])
    // A slice's gradient is embedded back in zeros.
    let s = gradients(of: x.slice(alongAxis: 1, 1..<3).sum(), withRespectTo: [x])[0]
    #expect(s.value.scalars == [0, 1, 1, 0, 1, 1])
  }
}

@Suite struct MatmulGradientTests {
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matmulGradients(transposingA: Bool, transposingB: Bool) {
    let (m, k, n) = (3, 5, 2)
    let a = transposingA ? [k, m] : [m, k]
    let b = transposingB ? [n, k] : [k, n]
    runGradientCheck(GradientCase("matmul (transposingA: \(transposingA), transposingB: \(transposingB))", [a, b], domain: .normal(scale: 0.6)) { v in
      matmul(v[0], v[1], transposingA: transposingA, transposingB: transposingB).tanh()
    })
  }

  /// The fused affine map: first and second derivatives against finite
  /// differences, and the value of `x·wᵀ + b` — also when the product is
  /// large enough to be split across threads.
  @Test func linearGradientsAndValue() {
    runGradientCheck(GradientCase("linear [4,3]·[2,3]ᵀ + [2]", [[4, 3], [2, 3], [2]], domain: .normal(scale: 0.6)) { v in
      linear(v[0], weight: v[1], bias: v[2]).tanh()
    })
    var rng = SplitMix64(seed: 21)
    for (n, i, o) in [(5, 3, 4), (0, 3, 4), (3, 0, 2), (512, 256, 160)] {
      let x = Tensor(randomNormal: [n, i], using: &rng)
      let w = Tensor(randomNormal: [o, i], using: &rng)
      let b = Tensor(randomNormal: [o], using: &rng)
      let reference = Tensor.matmul(x, w, transposingB: true) + b
      for threads in [1, 2] {
        let y = withParallelism(threads: threads) { Tensor.linear(x, weight: w, bias: b) }
        #expect(y.shape == [n, o])
        let worst = zip(y.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-4, "linear [\(n), \(i)] → \(o), \(threads) threads: worst difference \(worst)")
      }
    }
  }

  @Test func matmulWithSizeOneDimensions() {
    runGradientCheck(GradientCase("matmul [1,4]·[4,1]", [[1, 4], [4, 1]]) { v in matmul(v[0], v[1]).tanh() })
    runGradientCheck(GradientCase("matmul [3,1]·[1,2] (outer product)", [[3, 1], [1, 2]]) { v in matmul(v[0], v[1]).tanh() })
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matmulForwardMatchesNaive(transposingA: Bool, transposingB: Bool) {
    var rng = SplitMix64(seed: stableSeed("variable matmul \(transposingA) \(transposingB)"))
    let a = randomTensor(transposingA ? [4, 3] : [3, 4], &rng)
    let b = randomTensor(transposingB ? [6, 4] : [4, 6], &rng)
    let c = matmul(Variable(a), Variable(b), transposingA: transposingA, transposingB: transposingB)
    expectClose(c.value, naiveMatmul(a, b, transposingA: transposingA, transposingB: transposingB), shape: [3, 6])
  }
}
