// The sample of GTNAutodiff.docc/CheckingGradients.md, compiled by `swift build`
// and checked against the article by DocumentationSampleTests.

import GTNAutodiff

var rng = SplitMix64(seed: 7)
let x = Tensor(randomNormal: [3, 4], using: &rng)
let w = Tensor(randomNormal: [4, 2], using: &rng)
let report = GradientChecker().check(at: [x, w], using: &rng) { v in
  matmul(v[0], v[1]).tanh()
}
print(report)   // worst relative errors, first and second order
assert(report.passed)
