import GTNAutodiff
import Testing

// End to end: the meta-gradient of a validation loss through three unrolled
// SGD steps, with respect to the learning rate and the training inputs, as a
// generative teaching network needs it.

@Suite struct MetaGradientTests {
  struct Problem {
    var parameters: [Tensor]  // w1 [4, 5], b1 [5], w2 [5, 3], b2 [3]
    var trainingLabels = [0, 1, 2, 0, 1, 2]
    var validationInputs: Tensor
    var validationLabels = [2, 0, 1, 1, 0, 2, 2, 1]
    var trainingInputs: Tensor
    var learningRate = Tensor(0.8)

    init() {
      var rng = SplitMix64(seed: 2024)
      parameters = [
        randomTensor([4, 5], &rng, scale: 0.6), randomTensor([5], &rng, scale: 0.1),
        randomTensor([5, 3], &rng, scale: 0.6), randomTensor([3], &rng, scale: 0.1),
      ]
      validationInputs = randomTensor([8, 4], &rng)
      trainingInputs = randomTensor([6, 4], &rng)
    }

    static func logits(_ p: [Variable], _ x: Variable) -> Variable {
      matmul((matmul(x, p[0]) + p[1]).tanh(), p[2]) + p[3]
    }

    /// The validation loss after three SGD steps on `x` with rate `lr`.
    func metaLoss(learningRate lr: Variable, trainingInputs x: Variable, retainingInnerGraph: Bool = true) -> Variable {
      var p = parameters.map { Variable($0, requiresGradient: true) }
      for _ in 0..<3 {
        let loss = crossEntropy(logits: Self.logits(p, x), labels: trainingLabels)
        let g = gradients(of: loss, withRespectTo: p, retainingGraph: retainingInnerGraph)
        p = zip(p, g).map { $0 - lr * $1 }
      }
      return crossEntropy(logits: Self.logits(p, Variable(validationInputs)), labels: validationLabels)
    }
  }

  @Test func metaGradientMatchesFiniteDifferences() {
    let problem = Problem()
    var rng = SplitMix64(seed: 99)
    let checker = GradientChecker(step: 0.1)
    // Jointly: d/d lr, d/d X and the Hessian–vector products of both.
    let report = checker.check(at: [problem.learningRate, problem.trainingInputs], using: &rng) { v in
      problem.metaLoss(learningRate: v[0], trainingInputs: v[1])
    }
    print("meta-gradient (3 unrolled SGD steps, d/d lr and d/d X): \(report)")
    #expect(report.passed)
    #expect(report.firstOrderChecked + report.skippedAtKinks >= 1 + 24)
    #expect(report.firstOrderChecked >= 23, "at most two of 25 components skipped")
    #expect(report.secondOrderChecked == 2 * 25)
    // The learning rate alone, so that its component is certainly compared.
    let rate = checker.check(at: [problem.learningRate], using: &rng) { v in
      problem.metaLoss(learningRate: v[0], trainingInputs: Variable(problem.trainingInputs))
    }
    print("meta-gradient (3 unrolled SGD steps, d/d lr): \(rate)")
    #expect(rate.passed)
    #expect(rate.firstOrderChecked == 1)
    #expect(rate.secondOrderChecked == 2)
  }

  @Test func metaGradientIsNonTrivialAndNeedsTheRetainedGraph() {
    let problem = Problem()
    let lr = Variable(problem.learningRate, requiresGradient: true)
    let x = Variable(problem.trainingInputs, requiresGradient: true)
    let retained = gradients(of: problem.metaLoss(learningRate: lr, trainingInputs: x), withRespectTo: [lr, x])
    #expect(abs(retained[0].value.scalar) > 1e-3)
    #expect(retained[1].value.scalars.contains { abs($0) > 1e-4 })
    // Training makes the validation loss move: the steps are real.
    let before = crossEntropy(logits: Problem.logits(problem.parameters.map { Variable($0) }, Variable(problem.validationInputs)),
                              labels: problem.validationLabels).value.scalar
    let after = problem.metaLoss(learningRate: lr, trainingInputs: x).value.scalar
    #expect(abs(after - before) > 1e-3)
    // Without retained inner graphs the inner gradients are constants: the
    // training inputs reach the validation loss only through them, so their
    // meta-gradient vanishes.
    let truncated = gradients(of: problem.metaLoss(learningRate: lr, trainingInputs: x, retainingInnerGraph: false), withRespectTo: [lr, x])
    #expect(truncated[1].value == Tensor(zeros: [6, 4]))
  }
}
