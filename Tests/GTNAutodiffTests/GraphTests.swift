@testable import GTNAutodiff
import Testing

// The recorded graph: what gradients flow where, recording scopes, node
// lifetime and very deep graphs.

@Suite struct GraphTests {

  /// Gradients summed in place (no graph recorded) never write into a
  /// tensor someone else holds: the caller's seed stays as it was.
  @Test func inPlaceAccumulationLeavesSharedTensorsAlone() {
    let x = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGradient: true)
    let seed = Variable(Tensor(shape: [3], scalars: [0.5, -1, 2]))
    let y = x + x + x
    let g = gradients(of: y, withRespectTo: [x], seed: seed)[0]
    #expect(g.value.scalars == [1.5, -3, 6])
    #expect(seed.value.scalars == [0.5, -1, 2])
    // Recorded (retainingGraph) and in-place sums agree.
    let h = gradients(of: y, withRespectTo: [x], retainingGraph: true, seed: seed)[0]
    #expect(h.value == g.value)
  }
  @Test func gradientWithRespectToAnIntermediate() {
    let x = Variable(Tensor(shape: [3], scalars: [0.5, -1, 2]), requiresGradient: true)
    let y = x * 2
    let z = y.tanh().sum()
    let g = gradients(of: z, withRespectTo: [y, x])
    let t = y.value.tanh()
    let dzdy = doubles(t).map { 1 - $0 * $0 }
    expectClose(g[0].value, dzdy, shape: [3])
    expectClose(g[1].value, dzdy.map { 2 * $0 }, shape: [3])
  }

  @Test func unusedAndConstantVariablesGetZeros() {
    let x = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGradient: true)
    let unused = Variable(Tensor(ones: [3, 2]), requiresGradient: true)
    let constant = Variable(Tensor(ones: [2]))
    let g = gradients(of: (x * constant).sum(), withRespectTo: [x, unused, constant])
    #expect(g[0].value.scalars == [1, 1])
    #expect(g[1].value == Tensor(zeros: [3, 2]))
    #expect(g[2].value == Tensor(zeros: [2]))
    // An output that does not depend on anything requiring a gradient.
    let none = gradients(of: constant.sum(), withRespectTo: [x])
    #expect(none[0].value == Tensor(zeros: [2]))
  }

  @Test func gradientsAccumulateOverEveryUse() {
    let x = Variable(Tensor(shape: [2], scalars: [3, -1]), requiresGradient: true)
    let y = (x * x + x + x.tanh() * 2).sum()
    let g = gradients(of: y, withRespectTo: [x])[0]
    let t = x.value.tanh()
    let expected = zip(doubles(x.value), doubles(t)).map { x, t in 2 * x + 1 + 2 * (1 - t * t) }
    expectClose(g.value, expected, shape: [2])
    // The same variable listed twice gets the same gradient twice.
    let twice = gradients(of: (x * 3).sum(), withRespectTo: [x, x])
    #expect(twice[0].value.scalars == [3, 3])
    #expect(twice[1].value.scalars == [3, 3])
  }

  @Test func seedGivesAVectorJacobianProduct() {
    let x = Variable(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), requiresGradient: true)
    let w = Variable(Tensor(shape: [2, 1], scalars: [5, 6]), requiresGradient: true)
    let y = matmul(x, w)  // [17, 39]
    let g = gradients(of: y, withRespectTo: [x, w], seed: Variable(Tensor(shape: [2, 1], scalars: [1, -1])))
    #expect(g[0].value.scalars == [5, 6, -5, -6])
    #expect(g[1].value.scalars == [-2, -2])
    // Without a seed, ones.
    let ones = gradients(of: y, withRespectTo: [w])[0]
    #expect(ones.value.scalars == [4, 6])
  }

  @Test func valueWithGradientsReturnsBoth() {
    let (value, grads) = valueWithGradients(at: [Tensor(shape: [2], scalars: [1, 2]), Tensor(3)]) { p in
      (p[0] * p[1]).sum()
    }
    #expect(value.value.scalar == 9)
    #expect(grads[0].value.scalars == [3, 3])
    #expect(grads[1].value.scalars == [3])
    #expect(!grads[0].requiresGradient, "gradients are constants without retainingGraph")
    let (_, retained) = valueWithGradients(at: [Tensor(2)], retainingGraph: true) { p in p[0] * p[0] * p[0] }
    #expect(retained[0].requiresGradient)
    #expect(retained[0].value.scalar == 12)
  }

  @Test func withoutGradientRecordingYieldsConstants() {
    let x = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGradient: true)
    let y = withoutGradientRecording { (x * x).tanh().sum() }
    #expect(!y.requiresGradient)
    #expect(y.value == (x.value * x.value).tanh().sum())
    #expect(gradients(of: y, withRespectTo: [x])[0].value == Tensor(zeros: [2]))
    let custom = withoutGradientRecording {
      Variable.recording(x.value, inputs: [x]) { c in [c.upstream] }
    }
    #expect(!custom.requiresGradient)
    #expect(withoutGradientRecording { GradientRecording.isEnabled } == false)
    #expect(GradientRecording.isEnabled)
    // Re-enabled inside a disabled scope.
    let z = withoutGradientRecording { withGradientRecording(true) { x * 2 } }
    #expect(z.requiresGradient)
    // Operations on constants are never recorded, and detached cuts the graph.
    #expect(!(Variable(Tensor(ones: [2])) * 2).requiresGradient)
    #expect(!(x * 2).detached.requiresGradient)
  }

  @Test func recordingScopeIsPerTask() async {
    let x = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGradient: true)
    // Two concurrent tasks: one with recording off, one with it on.
    let results = await withTaskGroup(of: (Bool, Bool).self) { group in
      group.addTask {
        withoutGradientRecording {
          var y = x
          for _ in 0..<2000 { y = y * 1.0 }
          return (false, y.requiresGradient)
        }
      }
      group.addTask {
        var y = x
        for _ in 0..<2000 { y = y * 1.0 }
        return (true, y.requiresGradient)
      }
      var collected: [Bool: Bool] = [:]
      for await (enabled, requires) in group { collected[enabled] = requires }
      return collected
    }
    #expect(results[false] == false)
    #expect(results[true] == true)
    // A detached task does not inherit the scope it was started from.
    let detached = await withoutGradientRecording {
      Task.detached { (x * 2).requiresGradient }
    }.value
    #expect(detached)
    // A structured child task does (task-local values are inherited).
    let child = await withoutGradientRecording {
      Task { (x * 2).requiresGradient }
    }.value
    #expect(!child)
  }

  @Test func nodeIdentifiersIncreaseAlongTheGraph() {
    let x = Variable(Tensor(ones: [2]), requiresGradient: true)
    let y = x.tanh()
    let z = y * x
    #expect(x.id < y.id)
    #expect(y.id < z.id)
  }

  /// Builds a small graph and returns weak references to its nodes.
  @inline(never)
  func makeGraph() -> (leaf: Weak, output: Weak, gradient: Weak) {
    let x = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGradient: true)
    let y = (x * x).tanh().sum()
    let g = gradients(of: y, withRespectTo: [x], retainingGraph: true)[0]
    #expect(g.requiresGradient)
    return (Weak(x.node), Weak(y.node), Weak(g.node))
  }

  @Test func graphIsFreedWhenUnreferenced() {
    let refs = makeGraph()
    #expect(refs.leaf.node == nil)
    #expect(refs.output.node == nil)
    #expect(refs.gradient.node == nil)
    // While a result is alive, everything it was computed from is alive.
    let x = Variable(Tensor(ones: [2]), requiresGradient: true)
    var y: Variable? = (x * 3).exp()
    let weakMiddle = Weak(y!.node.inputs[0])
    #expect(weakMiddle.node != nil)
    y = nil
    #expect(weakMiddle.node == nil)
  }

  /// Whether `tensor`'s buffer has no other holder: writing to a shared
  /// buffer copies it first, so the address changes.
  func isSoleHolder(_ tensor: inout Tensor) -> Bool {
    let before = tensor.storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    let after = tensor.storage.withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress) }
    return before == after
  }

  @Test func nodesKeepOnlyTheValuesTheirRulesRead() {
    let x = Variable(Tensor(shape: [2, 2], scalars: [1, -2, 3, -4]), requiresGradient: true)
    let w = Variable(Tensor(shape: [2, 2], scalars: [0.5, 1, -1, 2]), requiresGradient: true)
    #expect((x + w).node.savedInputs.allSatisfy { $0 == nil })
    #expect((x * w).node.savedInputs.allSatisfy { $0 != nil })
    #expect(x.tanh().node.savedOutput != nil && x.tanh().node.savedInputs.allSatisfy { $0 == nil })
    #expect(matmul(x, w).node.savedOutput == nil)
    // What nothing reads is freed while the graph above it lives on: the
    // scaled input of a leaky ReLU, whose mask is its own output.
    var scaled: Variable? = x * 2
    let activated = scaled!.leakyRelu(slope: 0.1)
    var scaledValue = scaled!.value
    scaled = nil
    #expect(isSoleHolder(&scaledValue))
    // A custom operation that says nothing keeps its inputs.
    var kept: Variable? = x * 2
    let custom = Variable.recording(kept!.value.relu(), inputs: [kept!]) { c in [c.upstream] }
    var keptValue = kept!.value
    kept = nil
    #expect(!isSoleHolder(&keptValue))
    // An upsampled input is kept as the way to compute it again, and reads
    // as the same tensor.
    let upsampled = x.reshaped(to: [1, 1, 2, 2]).upsampledNearest(by: 2)
    let filter = Variable(Tensor(shape: [1, 1, 3, 3], scalars: (0..<9).map { Float($0) / 9 }), requiresGradient: true)
    let convolved = conv2d(upsampled, filter: filter, padding: 1)
    guard case .recomputed(let recompute)? = convolved.node.savedInputs[0] else {
      Issue.record("the upsampled input was stored, not recomputed")
      return
    }
    #expect(recompute().scalars == upsampled.value.scalars)
    // The gradients are unchanged.
    let g = gradients(of: (activated.sum() + custom.sum()), withRespectTo: [x])[0]
    #expect(zip(g.value.scalars, [4, 2.2, 4, 2.2] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
  }

  @Test func readingAValueThatWasNotSavedStops() async {
    await #expect(processExitsWith: .failure) {
      let x = Variable(Tensor(ones: [2]), requiresGradient: true)
      let y = Variable.recording(x.value * 2, inputs: [x], saving: .none) { c in [c.upstream * c.inputs[0]] }
      _ = gradients(of: y.sum(), withRespectTo: [x])
    }
  }

  /// A 200,000-operation chain differentiates and deallocates without
  /// recursion (the test runs on a thread with a small stack).
  @Test func longChainDifferentiatesAndDeallocates() {
    let n = 200_000
    var weakTop = Weak(nil)
    var weakMiddle = Weak(nil)
    do {
      let x = Variable(Tensor(shape: [2], scalars: [0.5, -0.25]), requiresGradient: true)
      let start = Variable(Tensor(zeros: [2]), requiresGradient: true)
      var y = start
      for i in 0..<n {
        y = y + x
        if i == n / 2 { weakMiddle = Weak(y.node) }
      }
      let g = gradients(of: y.sum(), withRespectTo: [x, start])
      #expect(g[0].value.scalars == [Float(n), Float(n)])
      #expect(g[1].value.scalars == [1, 1])
      #expect(y.value.scalars == [Float(n) * 0.5, Float(n) * -0.25])
      weakTop = Weak(y.node)
      #expect(weakMiddle.node != nil)
    }
    #expect(weakTop.node == nil)
    #expect(weakMiddle.node == nil)
  }

  @Test func thirdDerivativeOfFourthPower() {
    let x = Variable(Tensor(shape: [3], scalars: [1, -2, 0.5]), requiresGradient: true)
    let y = (x * x * x * x).sum()
    let d1 = gradients(of: y, withRespectTo: [x], retainingGraph: true)[0]
    let d2 = gradients(of: d1.sum(), withRespectTo: [x], retainingGraph: true)[0]
    let d3 = gradients(of: d2.sum(), withRespectTo: [x], retainingGraph: true)[0]
    let d4 = gradients(of: d3.sum(), withRespectTo: [x])[0]
    #expect(d1.value.scalars == [4, -32, 0.5])
    #expect(d2.value.scalars == [12, 48, 3])
    #expect(d3.value.scalars == [24, -48, 12])
    #expect(d4.value.scalars == [24, 24, 24])
  }

  @Test func customOperationWithRecording() {
    // cube(x) = x³ with backward 3x²·g written in Variable operations, so it
    // differentiates twice.
    func cube(_ x: Variable) -> Variable {
      Variable.recording(x.value * x.value * x.value, inputs: [x]) { c in
        [c.needsGradient(0) ? c.upstream * c.inputs[0].squared() * 3 : nil]
      }
    }
    let x = Variable(Tensor(shape: [2], scalars: [2, -1]), requiresGradient: true)
    let d1 = gradients(of: cube(x).sum(), withRespectTo: [x], retainingGraph: true)[0]
    #expect(d1.value.scalars == [12, 3])
    let d2 = gradients(of: d1.sum(), withRespectTo: [x])[0]
    #expect(d2.value.scalars == [12, -6])
    // needsGradient reports which inputs are wanted.
    let a = Variable(Tensor(ones: [1]), requiresGradient: true)
    let b = Variable(Tensor(ones: [1]), requiresGradient: true)
    let seen = NeededRecorder()
    let product = Variable.recording(a.value * b.value, inputs: [a, b]) { c in
      seen.record([c.needsGradient(0), c.needsGradient(1)])
      return [c.upstream * c.inputs[1], nil]
    }
    _ = gradients(of: product, withRespectTo: [a])
    #expect(seen.values == [[true, false]])
  }
}

/// A weak reference to a graph node.
struct Weak {
  weak var node: GraphNode?
  init(_ node: GraphNode?) { self.node = node }
}

/// Collects what a backward rule saw (rules are `@Sendable`).
final class NeededRecorder: @unchecked Sendable {
  private(set) var values: [[Bool]] = []
  func record(_ v: [Bool]) { values.append(v) }
}

/// Gradient checkpointing as described in the GradientsOfGradients article: a
/// custom operation whose rule recomputes its segment and differentiates it.
func checkpointed(_ inputs: [Variable], _ segment: @escaping @Sendable ([Variable]) -> Variable) -> Variable {
  let value = withoutGradientRecording { segment(inputs) }.value
  return Variable.recording(value, inputs: inputs) { c in
    let retaining = GradientRecording.isEnabled
    return withGradientRecording(true) {
      let roots = c.inputs.map { retaining ? $0 + 0 : Variable($0.value, requiresGradient: true) }
      let recomputed = segment(roots)
      return gradients(of: recomputed, withRespectTo: roots, retainingGraph: retaining, seed: c.upstream)
    }
  }
}

@Suite struct CheckpointingTests {
  /// Three layers `h ← tanh(h·w + b)`, optionally each in its own checkpoint.
  static func unrolled(_ v: [Variable], checkpointing: Bool) -> Variable {
    var h = v[0]
    for _ in 0..<3 {
      let layer: @Sendable ([Variable]) -> Variable = { p in (matmul(p[0], p[1]) + p[2]).tanh() }
      h = checkpointing ? checkpointed([h, v[1], v[2]], layer) : layer([h, v[1], v[2]])
    }
    return h
  }

  /// `gradients` returns total derivatives: asking for an intermediate and a
  /// leaf it depends on counts the paths through the intermediate in the
  /// leaf's gradient. A checkpoint's rule needs partial derivatives, hence
  /// its fresh roots.
  @Test func gradientsAreTotalDerivatives() {
    let w = Variable(Tensor(2), requiresGradient: true)
    let h = w * 3          // dh/dw = 3
    let y = h * w          // y = 3w², ∂y/∂h = w, ∂y/∂w|h = h, dy/dw = 6w
    let g = gradients(of: y, withRespectTo: [h, w])
    #expect(g[0].value.scalar == 2)
    #expect(g[1].value.scalar == 12, "total derivative 6w, not the partial h = 6 at w = 2")
    let root = h + 0
    let partial = gradients(of: root * w, withRespectTo: [root, w])
    #expect(partial[1].value.scalar == 12, "a fresh root does not cut the path through h for w")
    let cut = Variable(h.value, requiresGradient: true)
    #expect(gradients(of: cut * w, withRespectTo: [cut, w])[1].value.scalar == 6, "a fresh leaf does")
  }

  @Test func checkpointedSegmentsKeepExactFirstAndSecondDerivatives() {
    var rng = SplitMix64(seed: 404)
    let points = [randomTensor([2, 4], &rng), randomTensor([4, 4], &rng, scale: 0.5), randomTensor([4], &rng, scale: 0.2)]
    // The checkpoint's value holds no graph of the segment.
    let x = Variable(points[0], requiresGradient: true)
    let c = checkpointed([x]) { p in p[0].tanh().exp() }
    #expect(c.requiresGradient)
    #expect(c.value == x.value.tanh().exp())
    // Same gradients as the plain unroll, to float precision, both orders.
    let plain = valueWithGradients(at: points, retainingGraph: true) { v in Self.unrolled(v, checkpointing: false).squared().sum() }
    let check = valueWithGradients(at: points, retainingGraph: true) { v in Self.unrolled(v, checkpointing: true).squared().sum() }
    for (a, b) in zip(plain.gradients, check.gradients) { expectClose(b.value, a.value, tolerance: 1e-5) }
    #expect(check.gradients.allSatisfy { $0.requiresGradient })
    runGradientCheck(GradientCase("checkpointed unroll (3 layers)", [[2, 4], [4, 4], [4]]) { v in
      Self.unrolled(v, checkpointing: true)
    })
  }
}
