// The samples of GTNAutodiff.docc/GradientsOfGradients.md, compiled by
// `swift build` and checked against the article by DocumentationSampleTests.

import GTNAutodiff

let x = Variable(Tensor(shape: [3], scalars: [1, -2, 0.5]), requiresGradient: true)
let y = (x * x * x * x).sum()
let d1 = gradients(of: y, withRespectTo: [x], retainingGraph: true)[0]        // 4x³
let d2 = gradients(of: d1.sum(), withRespectTo: [x], retainingGraph: true)[0] // 12x²
let d3 = gradients(of: d2.sum(), withRespectTo: [x])[0]                       // 24x

/// x³, with a backward rule that can be differentiated again.
func cube(_ x: Variable) -> Variable {
  Variable.recording(x.value * x.value * x.value, inputs: [x]) { c in
    [c.needsGradient(0) ? c.upstream * c.inputs[0].squared() * 3 : nil]
  }
}

func checkpointed(
  _ inputs: [Variable], _ segment: @escaping @Sendable ([Variable]) -> Variable
) -> Variable {
  // Forward: no graph inside the segment, only the result.
  let value = withoutGradientRecording { segment(inputs) }.value
  return Variable.recording(value, inputs: inputs) { c in
    // Recording is on here exactly when the caller retains the graph.
    let retaining = GradientRecording.isEnabled
    return withGradientRecording(true) {
      // Fresh roots for the recomputation (see below).
      let roots = c.inputs.map { retaining ? $0 + 0 : Variable($0.value, requiresGradient: true) }
      let recomputed = segment(roots)
      return gradients(
        of: recomputed, withRespectTo: roots, retainingGraph: retaining, seed: c.upstream)
    }
  }
}

// snippet.hide
print(d3.value)
let z = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGradient: true)
let cubed = checkpointed([z]) { v in cube(v[0]).sum() }
print(gradients(of: cubed, withRespectTo: [z])[0].value)   // 3z²
