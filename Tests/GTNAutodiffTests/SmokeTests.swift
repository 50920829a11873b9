import GTNAutodiff
import Testing

@Test func cubeHasSecondDerivative() {
  let x = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGradient: true)
  let y = (x * x * x).sum()
  let g = gradients(of: y, withRespectTo: [x], retainingGraph: true)[0]
  #expect(g.value.scalars == [3, 12, 27])
  let h = gradients(of: g.sum(), withRespectTo: [x])[0]
  #expect(h.value.scalars == [6, 12, 18])
}

@Test func checkerOnConv() {
  var rng = SplitMix64(seed: 3)
  let x = Tensor(randomNormal: [2, 3, 5, 4], using: &rng)
  let w = Tensor(randomNormal: [2, 3, 3, 3], using: &rng)
  let report = GradientChecker().check(at: [x, w], using: &rng) { v in
    conv2d(v[0], filter: v[1], stride: 2, padding: 1).tanh()
  }
  print(report)
  #expect(report.passed)
}

@Test func blas() {
  print(BLASRuntime.coreName, BLASRuntime.threadCount, BLASRuntime.recommendedCoreType ?? "-", BLASRuntime.slowKernelWarning ?? "")
}
