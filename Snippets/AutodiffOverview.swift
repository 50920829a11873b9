// The sample of GTNAutodiff.docc/GTNAutodiff.md, compiled by `swift build`
// and checked against the article by DocumentationSampleTests.

import GTNAutodiff

var rng = SplitMix64(seed: 42)
let w = Variable(Tensor(randomNormal: [4, 3], using: &rng), requiresGradient: true)
let x = Variable(Tensor(randomNormal: [8, 4], using: &rng))

// One SGD step whose outcome is differentiable with respect to `w`.
let loss = crossEntropy(logits: matmul(x, w), labels: [0, 1, 2, 0, 1, 2, 0, 1])
let dw = gradients(of: loss, withRespectTo: [w], retainingGraph: true)[0]
let stepped = w - 0.1 * dw
let validation = crossEntropy(logits: matmul(x, stepped), labels: [0, 1, 2, 0, 1, 2, 0, 1])
let metaGradient = gradients(of: validation, withRespectTo: [w])[0]   // includes ∂²loss/∂w²

// snippet.hide
print(metaGradient.shape)
