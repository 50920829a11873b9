import Foundation
import GTNAutodiff
import Testing

@Suite struct LossGradientTests {
  /// log softmax of each row in Double.
  func naiveLogSoftmax(_ x: Tensor) -> [Double] {
    let k = x.shape.last!
    let d = doubles(x)
    var out: [Double] = []
    for r in 0..<(d.count / k) {
      let row = Array(d[(r * k)..<((r + 1) * k)])
      let logSum = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
      out += row.map { $0 - logSum }
    }
    return out
  }

  @Test func logSoftmaxAndSoftmaxForward() {
    var rng = SplitMix64(seed: 21)
    let x = randomTensor([2, 3, 5], &rng, scale: 3)
    let expected = naiveLogSoftmax(x)
    expectClose(Variable(x).logSoftmax().value, expected, shape: [2, 3, 5])
    expectClose(Variable(x).softmax().value, expected.map { Foundation.exp($0) }, shape: [2, 3, 5])
    // Large logits do not overflow.
    let big = Variable(Tensor(shape: [1, 3], scalars: [1000, 1001, 999]))
    expectClose(big.logSoftmax().value, naiveLogSoftmax(Tensor(shape: [1, 3], scalars: [0, 1, -1])), shape: [1, 3])
    // Hand-computed: equal logits give log(1/K).
    expectClose(Variable(Tensor(zeros: [1, 4])).logSoftmax().value, [Double](repeating: Foundation.log(0.25), count: 4), shape: [1, 4])
  }

  @Test func crossEntropyForward() {
    var rng = SplitMix64(seed: 22)
    let logits = randomTensor([4, 3], &rng, scale: 2)
    let labels = [2, 0, 0, 1]
    let logp = naiveLogSoftmax(logits)
    let expected = -labels.enumerated().map { logp[$0.offset * 3 + $0.element] }.reduce(0, +) / 4
    expectClose(crossEntropy(logits: Variable(logits), labels: labels).value, [expected], shape: [])
    let p = Tensor(randomUniform: [4, 3], lowerBound: 0.1, upperBound: 1, using: &rng)
    let probabilities = p / p.sum(alongAxes: [1])
    let soft = -zip(logp, doubles(probabilities)).map { $0 * $1 }.reduce(0, +) / 4
    expectClose(crossEntropy(logits: Variable(logits), probabilities: Variable(probabilities)).value, [soft], shape: [])
    // One-hot probabilities agree with labels.
    var oneHot = Tensor(zeros: [4, 3])
    for (n, y) in labels.enumerated() { oneHot[n, y] = 1 }
    expectClose(crossEntropy(logits: Variable(logits), probabilities: Variable(oneHot)).value, [expected], shape: [])
    // Uniform logits: log K.
    expectClose(crossEntropy(logits: Variable(Tensor(zeros: [2, 5])), labels: [1, 4]).value, [Foundation.log(5)], shape: [])
  }

  @Test func accuracyCountsArgmaxMatches() {
    let logits = Tensor(shape: [4, 3], scalars: [0, 1, 0, 5, 1, 2, 0, 0, 1, 3, 3, 0])
    #expect(accuracy(logits: logits, labels: [1, 0, 2, 1]) == 0.75)
    #expect(accuracy(logits: logits, labels: [0, 1, 0, 1]) == 0)
    #expect(accuracy(logits: Tensor(zeros: [0, 3]), labels: []) == 0)
  }

  static let cases: [GradientCase] = [
    GradientCase("logSoftmax [3,5]", [[3, 5]], domain: .normal(scale: 1.5)) { v in v[0].logSoftmax() },
    GradientCase("logSoftmax [2,1,4]", [[2, 1, 4]]) { v in v[0].logSoftmax() },
    // Softmax rows sum to one, so a positive projection of it is nearly
    // constant; mixed signs make the projected gradient large enough to
    // stand out of float32 rounding.
    GradientCase("softmax [4,3]", [[4, 3]]) { v in v[0].softmax() * Tensor(shape: [3], scalars: [2, -1.5, 0.5]) },
    GradientCase("crossEntropy(logits:labels:)", [[5, 4]], domain: .normal(scale: 1.5)) { v in
      crossEntropy(logits: v[0], labels: [3, 0, 1, 1, 2])
    },
    GradientCase("crossEntropy(logits:labels:) single row", [[1, 7]]) { v in crossEntropy(logits: v[0], labels: [6]) },
    GradientCase("crossEntropy(logits:probabilities:)", [[3, 4], [3, 4]]) { v in
      crossEntropy(logits: v[0], probabilities: v[1].softmax())
    },
  ]

  @Test(arguments: cases)
  func lossGradients(_ c: GradientCase) { runGradientCheck(c) }

  @Test func crossEntropyGradientIsSoftmaxMinusOneHot() {
    let logits = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 0]), requiresGradient: true)
    let g = gradients(of: crossEntropy(logits: logits, labels: [2, 1]), withRespectTo: [logits])[0]
    let softmax = logits.softmax().value
    var expected = doubles(softmax)
    expected[2] -= 1
    expected[4] -= 1
    expectClose(g.value, expected.map { $0 / 2 }, shape: [2, 3])
  }
}

@Suite struct NormalizationGradientTests {
  @Test func weightNormalizedForward() {
    let v = Tensor(shape: [2, 1, 2], scalars: [3, 4, 0, -2])
    let g = Tensor(shape: [2], scalars: [10, 0.5])
    let w = Variable.weightNormalized(direction: Variable(v), magnitude: Variable(g))
    #expect(w.shape == [2, 1, 2])
    expectClose(w.value, [6, 8, 0, -0.5], shape: [2, 1, 2])
    // Each output unit has norm |g|.
    var rng = SplitMix64(seed: 31)
    let v2 = randomTensor([3, 2, 2, 2], &rng)
    let g2 = Tensor(shape: [3], scalars: [1, -2, 0.5])
    let w2 = Variable.weightNormalized(direction: Variable(v2), magnitude: Variable(g2)).value
    let norms = w2.squared().sum(alongAxes: [1, 2, 3]).squareRoot()
    expectClose(norms, [1, 2, 0.5], shape: [3, 1, 1, 1])
  }

  @Test func standardizedAndMeanCenteredForward() {
    var rng = SplitMix64(seed: 32)
    let x = randomTensor([4, 3, 2], &rng, scale: 2) + 1
    let d = doubles(x)
    for axes in [[0], [0, 2], [1]] {
      let s = Set(axes)
      let outShape = x.shape.enumerated().map { s.contains($0.offset) ? 1 : $0.element }
      let strides = rowMajorStrides(outShape)
      var sum = [Double](repeating: 0, count: outShape.reduce(1, *))
      var sumSq = sum
      var count = sum
      func group(_ flat: Int) -> Int {
        let index = multiIndex(flat, x.shape)
        return (0..<3).filter { !s.contains($0) }.reduce(0) { $0 + index[$1] * strides[$1] }
      }
      for i in 0..<d.count {
        sum[group(i)] += d[i]
        count[group(i)] += 1
      }
      let mean = zip(sum, count).map { $0 / $1 }
      for i in 0..<d.count { sumSq[group(i)] += (d[i] - mean[group(i)]) * (d[i] - mean[group(i)]) }
      let variance = zip(sumSq, count).map { $0 / $1 }
      let centered = (0..<d.count).map { d[$0] - mean[group($0)] }
      expectClose(Variable(x).meanCentered(alongAxes: axes).value, centered, shape: x.shape)
      let standardized = (0..<d.count).map { centered[$0] / (variance[group($0)] + 1e-5).squareRoot() }
      expectClose(Variable(x).standardized(alongAxes: axes).value, standardized, shape: x.shape, tolerance: 1e-4)
      let eps = (0..<d.count).map { centered[$0] / (variance[group($0)] + 0.5).squareRoot() }
      expectClose(Variable(x).standardized(alongAxes: axes, epsilon: 0.5).value, eps, shape: x.shape, tolerance: 1e-4)
    }
  }

  static let cases: [GradientCase] = [
    GradientCase("weightNormalized [3,4]", [[3, 4], [3]]) { v in
      Variable.weightNormalized(direction: v[0], magnitude: v[1])
    },
    GradientCase("weightNormalized [2,3,1,2] (conv filter)", [[2, 3, 1, 2], [2]]) { v in
      Variable.weightNormalized(direction: v[0], magnitude: v[1]).tanh()
    },
    GradientCase("meanCentered(alongAxes: [0])", [[5, 3]]) { v in v[0].meanCentered(alongAxes: [0]).tanh() },
    GradientCase("meanCentered(alongAxes: [0, 2, 3])", [[3, 2, 2, 1]]) { v in v[0].meanCentered(alongAxes: [0, 2, 3]).squared() },
    GradientCase("standardized(alongAxes: [0])", [[6, 2]]) { v in v[0].standardized(alongAxes: [0]) },
    GradientCase("standardized(alongAxes: [0, 2, 3]) (batch norm)", [[3, 2, 2, 2]]) { v in
      v[0].standardized(alongAxes: [0, 2, 3], epsilon: 1e-3).tanh()
    },
    GradientCase("standardized(alongAxes: [1]) (layer norm)", [[2, 5]]) { v in v[0].standardized(alongAxes: [1], epsilon: 0.1) },
  ]

  @Test(arguments: cases)
  func normalizationGradients(_ c: GradientCase) { runGradientCheck(c) }
}
