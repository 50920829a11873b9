import Foundation
import GTNAutodiff
import Testing

// First- and second-order checks of the arithmetic operators and elementary
// functions. Linear operators are followed by a smooth nonlinearity so that
// their Hessian–vector products are not identically zero.

@Suite struct ElementwiseGradientTests {
  static let arithmetic: [GradientCase] = [
    GradientCase("add (broadcast [3,1,4] + [5,1])", [[3, 1, 4], [5, 1]]) { v in (v[0] + v[1]).tanh() },
    GradientCase("subtract (broadcast [4] − [2,3,4])", [[4], [2, 3, 4]]) { v in (v[0] - v[1]).tanh() },
    GradientCase("multiply (broadcast [2,3,1] · [1,5])", [[2, 3, 1], [1, 5]]) { v in v[0] * v[1] },
    GradientCase("multiply (scalar · [3,2])", [[], [3, 2]]) { v in (v[0] * v[1]).tanh() },
    GradientCase("multiply (same variable twice)", [[2, 3]]) { v in v[0] * v[0] * v[0] },
    GradientCase("divide (broadcast [3,4] / [4])", [[3, 4], [4]], domain: .positive) { v in v[0] / v[1] },
    GradientCase("divide (broadcast [1] / [2,1,3])", [[1], [2, 1, 3]], domain: .positive) { v in v[0] / v[1] },
    GradientCase("negate", [[3, 1, 2]]) { v in (-v[0]).tanh() },
    GradientCase("scalar operators (x·s, s·x, x/s, x+s, s+x, x−s, s−x)", [[2, 5]]) { v in
      let x = v[0]
      return ((x * 1.5 + 0.25) * (2 * x - 0.5) + (x / 4 + 1) * (3 - x) + (0.5 + x).tanh()) * 0.2
    },
    GradientCase("constant tensor operators (x·t, x+t)", [[2, 3]]) { v in
      let t = Tensor(shape: [3], scalars: [0.5, -1, 2])
      return (v[0] * t + Tensor(shape: [2, 1], scalars: [0.1, -0.2])).tanh()
    },
    GradientCase("scaled(by:adding:) (x·s + a, s of shape [1])", [[3, 4], [1], [3, 4]]) { v in
      v[0].scaled(by: v[1], adding: v[2]).tanh()
    },
    GradientCase("scaled(by:) (x·s, s of shape [])", [[2, 5], []]) { v in v[0].scaled(by: v[1]).tanh() },
    GradientCase("dot (⟨a, b⟩, then tanh)", [[3, 4], [3, 4]]) { v in (v[0].dot(v[1]) * 0.3).tanh() },
    GradientCase("dot (same variable twice)", [[5]]) { v in v[0].dot(v[0]) },
    GradientCase("compound assignment (+=, −=)", [[4], [4]]) { v in
      var y = v[0].tanh()
      y += v[1].squared()
      y -= v[0] * v[1]
      return y
    },
  ]

  static let elementary: [GradientCase] = [
    GradientCase("relu (then squared)", [[3, 7]], domain: .awayFromZero, kinked: true) { v in v[0].relu().squared() },
    GradientCase("relu (after tanh-mixing)", [[2, 1, 5]], domain: .awayFromZero, kinked: true) { v in (v[0].relu() * 1.3).tanh() },
    GradientCase("leakyRelu (slope 0.2, then squared)", [[4, 5]], domain: .awayFromZero, kinked: true) { v in
      v[0].leakyRelu(slope: 0.2).squared()
    },
    GradientCase("leakyRelu (default slope, then tanh)", [[12]], domain: .awayFromZero, kinked: true) { v in v[0].leakyRelu().tanh() },
    GradientCase("tanh", [[3, 4]]) { v in v[0].tanh() },
    GradientCase("sigmoid", [[3, 4]], domain: .normal(scale: 2)) { v in v[0].sigmoid() },
    GradientCase("exp", [[5, 1]]) { v in v[0].exp() },
    GradientCase("log", [[2, 3]], domain: .positive) { v in v[0].log() },
    GradientCase("squareRoot", [[7]], domain: .positive) { v in v[0].squareRoot() },
    GradientCase("softplus", [[3, 3]], domain: .normal(scale: 2)) { v in v[0].softplus() },
    GradientCase("squared", [[1, 6]]) { v in v[0].squared() },
  ]

  @Test(arguments: arithmetic)
  func arithmeticGradients(_ c: GradientCase) { runGradientCheck(c) }

  @Test(arguments: elementary)
  func elementaryGradients(_ c: GradientCase) { runGradientCheck(c) }

  /// ReLU on unrestricted normal inputs: some coordinates may lie within a
  /// step of the kink and be skipped, but only a small fraction.
  @Test func reluOnNormalInputsSkipsFewKinks() {
    runGradientCheck(GradientCase("relu (normal inputs, first order)", [[6, 8]], kinked: true,
      checker: GradientChecker(checksSecondOrder: false)) { v in v[0].relu() })
    runGradientCheck(GradientCase("leakyRelu (normal inputs, first order)", [[6, 8]], kinked: true,
      checker: GradientChecker(checksSecondOrder: false)) { v in v[0].leakyRelu(slope: 0.3) })
  }

  /// The fused update ops equal the elementwise expressions bit for bit
  /// (the inner optimisers rely on it), also when split across threads.
  @Test func scaledAdditionEqualsElementwiseExpressions() {
    var rng = SplitMix64(seed: 11)
    for count in [7, 100_003] {
      let x = Tensor(randomNormal: [count], using: &rng)
      let a = Tensor(randomNormal: [count], using: &rng)
      let s = Tensor(shape: [1], scalars: [0.731])
      for threads in [1, 2] {
        withParallelism(threads: threads) {
          #expect(Variable(x).scaled(by: Variable(s), adding: Variable(a)).value == (x * s + a))
          #expect(Variable(x).scaled(by: Variable(s)).value == x * s)
          #expect(Variable(a).scaled(by: -Variable(s), adding: Variable(x)).value == x - a * s)
        }
      }
      let exact = zip(x.scalars, a.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      #expect(abs(Double(Variable(x).dot(Variable(a)).value.scalar) - exact) <= 1e-4 * max(1, abs(exact)) * Double(count).squareRoot())
    }
  }

  @Test func forwardValuesOfVariableOperators() {
    let a = Variable(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
    let b = Variable(Tensor(shape: [2], scalars: [10, 20]))
    #expect((a + b).value.scalars == [11, 22, 13, 24])
    #expect((a - b).value.scalars == [-9, -18, -7, -16])
    #expect((a * b).value.scalars == [10, 40, 30, 80])
    #expect((b / a).value.scalars == [10, 10, 10 / 3, 5])
    #expect((-a).value.scalars == [-1, -2, -3, -4])
    #expect((a * 2).value.scalars == [2, 4, 6, 8])
    #expect((2 * a).value.scalars == [2, 4, 6, 8])
    #expect((a / 2).value.scalars == [0.5, 1, 1.5, 2])
    #expect((a + 1).value.scalars == [2, 3, 4, 5])
    #expect((1 + a).value.scalars == [2, 3, 4, 5])
    #expect((a - 1).value.scalars == [0, 1, 2, 3])
    #expect((1 - a).value.scalars == [0, -1, -2, -3])
    #expect((a * Tensor(shape: [2], scalars: [0, 1])).value.scalars == [0, 2, 0, 4])
    #expect((a + Tensor(shape: [2, 1], scalars: [0, 1])).value.scalars == [1, 2, 4, 5])
    let x = Variable(Tensor(shape: [3], scalars: [-1, 0.5, 2]))
    #expect(x.relu().value.scalars == [0, 0.5, 2])
    #expect(x.leakyRelu().value.scalars == [-0.01, 0.5, 2])
    #expect(x.squared().value.scalars == [1, 0.25, 4])
    expectClose(x.tanh().value, [-1, 0.5, 2].map { Foundation.tanh($0) }, shape: [3])
    expectClose(x.sigmoid().value, [-1, 0.5, 2].map { 1 / (1 + Foundation.exp(-$0)) }, shape: [3])
    expectClose(x.exp().value, [-1, 0.5, 2].map { Foundation.exp($0) }, shape: [3])
    expectClose(x.softplus().value, [-1, 0.5, 2].map { Foundation.log1p(Foundation.exp($0)) }, shape: [3])
    expectClose(x.squared().log().value, [1, 0.25, 4].map { Foundation.log($0) }, shape: [3])
    expectClose(x.squared().squareRoot().value, [1, 0.5, 2], shape: [3])
  }

  @Test func handComputedDerivatives() {
    // d/dx relu at 0 is 0; leakyRelu at 0 is the slope.
    let zero = Variable(Tensor(shape: [3], scalars: [-1, 0, 2]), requiresGradient: true)
    #expect(gradients(of: zero.relu().sum(), withRespectTo: [zero])[0].value.scalars == [0, 0, 1])
    #expect(gradients(of: zero.leakyRelu(slope: 0.5).sum(), withRespectTo: [zero])[0].value.scalars == [0.5, 0.5, 1])
    // Quotient rule for both operands.
    let p = Variable(Tensor(shape: [1], scalars: [3]), requiresGradient: true)
    let q = Variable(Tensor(shape: [1], scalars: [2]), requiresGradient: true)
    let g = gradients(of: (p / q).sum(), withRespectTo: [p, q])
    #expect(g[0].value.scalars == [0.5])
    #expect(g[1].value.scalars == [-0.75])
    // Broadcast operand: the gradient is summed back to its shape.
    let m = Variable(Tensor(ones: [2, 3]), requiresGradient: true)
    let row = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGradient: true)
    let gr = gradients(of: (m * row).sum(), withRespectTo: [m, row])
    #expect(gr[0].value.scalars == [1, 2, 3, 1, 2, 3])
    #expect(gr[1].value.shape == [3])
    #expect(gr[1].value.scalars == [2, 2, 2])
  }
}
