import GTNAutodiff
import Testing

// The checker itself: it must catch wrong first- and second-order rules,
// skip kinks instead of failing on them, and report what it compared.

@Suite struct GradientCheckerTests {
  /// `x²` with a backward rule scaled by `factor`.
  static func square(_ x: Variable, factor: Float) -> Variable {
    Variable.recording(x.value.squared(), inputs: [x]) { c in [c.upstream * c.inputs[0] * (2 * factor)] }
  }

  @Test func acceptsACorrectCustomRule() {
    var rng = SplitMix64(seed: 1)
    let x = randomTensor([3, 4], &rng)
    let report = GradientChecker().check(at: [x], using: &rng) { v in Self.square(v[0], factor: 1).tanh() }
    print("custom x² (correct rule): \(report)")
    #expect(report.passed)
    #expect(report.firstOrderChecked == 12)
    #expect(report.secondOrderChecked == 2 * 12)
    #expect(report.firstOrderWorstRelativeError < 1e-4)
  }

  @Test func detectsAFirstOrderRuleOffByOnePercent() {
    var rng = SplitMix64(seed: 2)
    let x = randomTensor([3, 4], &rng)
    let report = GradientChecker().check(at: [x], using: &rng) { v in Self.square(v[0], factor: 1.01).tanh() }
    print("custom x² (rule × 1.01): \(report)")
    #expect(!report.passed)
    #expect(report.firstOrderWorstRelativeError > 5e-3)
    #expect(report.firstOrderWorstRelativeError < 2e-2)
  }

  @Test func detectsASecondOrderThatDoesNotFlow() {
    // The rule is right numerically but uses a constant copy of x, so the
    // gradient it returns does not depend on x: no second order flows.
    func square(_ x: Variable) -> Variable {
      Variable.recording(x.value.squared(), inputs: [x]) { c in [c.upstream * Variable(c.inputs[0].value) * 2] }
    }
    var rng = SplitMix64(seed: 3)
    let x = randomTensor([5], &rng)
    let report = GradientChecker().check(at: [x], using: &rng) { v in square(v[0]) }
    print("custom x² (constant in rule): \(report)")
    #expect(report.firstOrderWorstRelativeError <= 1e-3)
    #expect(report.secondOrderChecked > 0)
    #expect(report.secondOrderWorstRelativeError > 0.5)
    #expect(!report.passed)
  }

  @Test func skipsAKinkStraddleInsteadOfFailing() {
    // relu at 1e-4 with step 3e-2: every stencil straddles the kink.
    let x = Tensor(shape: [3], scalars: [1e-4, 0.5, -0.7])
    var rng = SplitMix64(seed: 4)
    let report = GradientChecker(step: 3e-2).check(at: [x], using: &rng) { v in v[0].relu() + v[0].tanh() }
    print("relu at 1e-4: \(report)")
    #expect(report.passed)
    #expect(report.skippedAtKinks >= 1)
    #expect(report.firstOrderChecked == 2, "only the coordinate at the kink is skipped")
    // Without the kink, nothing is skipped.
    let smooth = GradientChecker(step: 3e-2).check(at: [x + 0.5], using: &rng) { v in v[0].relu() + v[0].tanh() }
    #expect(smooth.skippedAtKinks == 0)
    #expect(smooth.firstOrderChecked == 3)
    #expect(smooth.passed)
  }

  @Test func aJumpIsNotMistakenForAKinkWhenTheRuleIsWrong() {
    // A wrong rule on a kinked function still fails on the smooth coordinates.
    func badRelu(_ x: Variable) -> Variable {
      Variable.recording(x.value.relu(), inputs: [x]) { c in [c.upstream * c.inputs[0].value.map { $0 > 0 ? 1.1 : 0 }] }
    }
    var rng = SplitMix64(seed: 5)
    let report = GradientChecker(checksSecondOrder: false).check(at: [Tensor(shape: [4], scalars: [0.5, 1, -1, 2])], using: &rng) { v in
      badRelu(v[0])
    }
    #expect(!report.passed)
    #expect(report.skippedAtKinks == 0)
  }

  @Test func nanGradientsFailAndStillDescribe() {
    // A rule that returns NaN for one component: the error is recorded as
    // infinite and the report must still describe itself.
    func broken(_ x: Variable) -> Variable {
      Variable.recording(x.value * 2, inputs: [x]) { c in
        [c.upstream * Tensor(shape: [3], scalars: [2, .nan, 2])]
      }
    }
    var rng = SplitMix64(seed: 6)
    let report = GradientChecker(checksSecondOrder: false).check(at: [Tensor(ones: [3])], using: &rng) { v in broken(v[0]) }
    print("NaN rule: \(report)")
    #expect(!report.passed)
    #expect(report.firstOrderChecked == 3)
    #expect(report.firstOrderWorstRelativeError == .infinity)
    #expect(report.description.contains("inf"))
    #expect(report.description.hasSuffix("FAILED"))
  }

  @Test func countsAndOptions() {
    var rng = SplitMix64(seed: 7)
    let x = randomTensor([10, 10], &rng)
    let capped = GradientChecker(maximumCoordinatesPerInput: 7, checksSecondOrder: false).check(at: [x, Tensor(2)], using: &rng) { v in
      (v[0] * v[1]).tanh()
    }
    #expect(capped.firstOrderChecked == 7 + 1)
    #expect(capped.secondOrderChecked == 0)
    #expect(capped.passed)
    let directions = GradientChecker(maximumCoordinatesPerInput: 3, secondOrderDirections: 3).check(at: [Tensor(shape: [4], scalars: [1, 2, 3, 4])], using: &rng) { v in
      v[0] * v[0] * v[0]
    }
    #expect(directions.secondOrderChecked == 3 * 4)
    #expect(directions.passed)
    print("x³ (polynomial): \(directions)")
    #expect(directions.description.hasPrefix("first order: worst relative error"))
    #expect(directions.description.hasSuffix("passed"))
    // Nothing to compare is not a pass.
    let empty = GradientChecker().check(at: [Tensor(zeros: [0])], using: &rng) { v in v[0].sum() }
    #expect(empty.firstOrderChecked == 0)
    #expect(!empty.passed)
  }

  @Test func worksInsideAScopeWithoutRecording() {
    var rng = SplitMix64(seed: 8)
    let x = randomTensor([2, 3], &rng)
    let report = withoutGradientRecording {
      GradientChecker().check(at: [x], using: &rng) { v in v[0].tanh().squared() }
    }
    print("tanh² inside withoutGradientRecording: \(report)")
    #expect(report.passed)
  }

  @Test func isDeterministicForASeed() {
    func run() -> GradientCheckReport {
      var rng = SplitMix64(seed: 9)
      return GradientChecker().check(at: [randomTensor([4, 3], &rng)], using: &rng) { v in v[0].softplus().tanh() }
    }
    let (a, b) = (run(), run())
    #expect(a.firstOrderWorstRelativeError == b.firstOrderWorstRelativeError)
    #expect(a.secondOrderWorstRelativeError == b.secondOrderWorstRelativeError)
  }
}
