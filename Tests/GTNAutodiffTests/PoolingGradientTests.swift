import GTNAutodiff
import Testing

// Pooling, upsampling and padding. All are linear (max pooling piecewise so),
// so each is followed by a smooth nonlinearity for the second-order check.

@Suite struct PoolingGradientTests {
  static let cases: [GradientCase] = [
    // Each window holds exactly one lattice point: no argmax switch within a step.
    GradientCase("maxPool2d k2 s2 p0", [[2, 3, 4, 6]], domain: .dominantLattice(period: 2), kinked: true) { v in
      v[0].maxPool2d(kernelSize: 2).squared()
    },
    GradientCase("maxPool2d k2 s2 p0 (odd sizes: last row and column in no window)", [[1, 2, 5, 7]],
                 domain: .dominantLattice(period: 2), kinked: true) { v in
      v[0].maxPool2d(kernelSize: 2).tanh()
    },
    GradientCase("maxPool2d k3 s2 p1", [[1, 2, 5, 6]], domain: .dominantLattice(period: 2), kinked: true) { v in
      v[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1).tanh()
    },
    GradientCase("maxPool2d k2 s2 p1 (odd sizes)", [[1, 3, 5, 3]], domain: .dominantLattice(period: 2), kinked: true) { v in
      v[0].maxPool2d(kernelSize: 2, stride: 2, padding: 1).squared()
    },
    GradientCase("averagePool2d k2 s2 p0", [[2, 2, 4, 5]]) { v in (v[0].averagePool2d(kernelSize: 2) * 2).tanh() },
    GradientCase("averagePool2d k3 s1 p1", [[1, 2, 5, 4]]) { v in v[0].averagePool2d(kernelSize: 3, stride: 1, padding: 1).squared() },
    GradientCase("averagePool2d k3 s2 p1", [[1, 1, 7, 6]]) { v in (v[0].averagePool2d(kernelSize: 3, stride: 2, padding: 1) * 3).tanh() },
    GradientCase("averagePool2dAdjoint k3 s2 p1", [[1, 2, 3, 3]]) { v in
      (v[0].averagePool2dAdjoint(inputShape: [1, 2, 5, 6], kernelSize: 3, stride: 2, padding: 1) * 6).tanh()
    },
    GradientCase("averagePool2dAdjoint k2 s1 p0", [[2, 1, 3, 2]]) { v in
      (v[0].averagePool2dAdjoint(inputShape: [2, 1, 4, 3], kernelSize: 2, stride: 1) * 3).tanh()
    },
    GradientCase("globalAveragePooled", [[2, 3, 3, 5]]) { v in (v[0].globalAveragePooled() * 2).tanh() },
    GradientCase("upsampledNearest ×2", [[1, 2, 3, 2]]) { v in v[0].upsampledNearest(by: 2).tanh() },
    GradientCase("upsampledNearest ×3", [[2, 1, 1, 2]]) { v in v[0].upsampledNearest(by: 3).squared() },
    GradientCase("summingBlocks 2×2", [[1, 2, 4, 6]]) { v in (v[0].summingBlocks(of: 2) * 0.5).tanh() },
    GradientCase("reflectionPadded 1", [[1, 2, 3, 4]]) { v in v[0].reflectionPadded(by: 1).tanh() },
    GradientCase("reflectionPadded 2", [[2, 1, 3, 5]]) { v in v[0].reflectionPadded(by: 2).squared() },
    GradientCase("reflectionPaddingAdjoint 1", [[1, 2, 5, 6]]) { v in (v[0].reflectionPaddingAdjoint(by: 1) * 0.5).tanh() },
    GradientCase("reflectionPaddingAdjoint 2", [[2, 1, 7, 9]]) { v in (v[0].reflectionPaddingAdjoint(by: 2) * 0.5).squared() },
  ]

  @Test(arguments: cases)
  func poolingGradients(_ c: GradientCase) { runGradientCheck(c) }

  /// Overlapping windows on unrestricted inputs: argmax switches may be
  /// skipped as kinks, but only a few.
  @Test(arguments: [(2, 1, 0), (3, 1, 1)])
  func maxPoolOnNormalInputsSkipsFewKinks(kernel: Int, stride: Int, padding: Int) {
    runGradientCheck(GradientCase("maxPool2d k\(kernel) s\(stride) p\(padding) (normal inputs, first order)", [[1, 2, 6, 5]],
      kinked: true, checker: GradientChecker(checksSecondOrder: false)) { v in
      v[0].maxPool2d(kernelSize: kernel, stride: stride, padding: padding)
    })
  }

  @Test func variableForwardValues() {
    let x = Variable(Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, -1, 7, 4]))
    #expect(x.maxPool2d(kernelSize: 2).value.scalars == [5, 7])
    #expect(x.averagePool2d(kernelSize: 2).value.scalars == [2, 3.25])
    #expect(x.maxPool2d(kernelSize: 2, stride: 1).value.scalars == [5, 7, 7])
    #expect(x.globalAveragePooled().shape == [1, 1])
    #expect(x.globalAveragePooled().value.scalars == [2.625])
    #expect(x.upsampledNearest(by: 1).value == x.value)
    #expect(x.reflectionPadded(by: 0).value == x.value)
    #expect(x.reflectionPadded(by: 1).value.scalars == [
      -1, 3, -1, 7, 4, 7, 5, 1, 5, 2, 0, 2, -1, 3, -1, 7, 4, 7, 5, 1, 5, 2, 0, 2,
    ])
    let g = Variable(Tensor(shape: [1, 1, 1, 2], scalars: [4, 8]))
    #expect(g.averagePool2dAdjoint(inputShape: [1, 1, 2, 4], kernelSize: 2, stride: 2).value.scalars == [1, 1, 2, 2, 1, 1, 2, 2])
  }

  @Test func maxPoolGradientRoutesToTheMaximum() {
    let x = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [1, 4, 4, 2]), requiresGradient: true)
    let g = gradients(of: x.maxPool2d(kernelSize: 2).sum(), withRespectTo: [x])[0]
    #expect(g.value.scalars == [0, 1, 0, 0], "ties: the first maximum gets the gradient")
    // Reflection padding: border values are counted once per copy.
    let z = Variable(Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6]), requiresGradient: true)
    let gz = gradients(of: z.reflectionPadded(by: 1).sum(), withRespectTo: [z])[0]
    // Padded 4×5: rows [1, 0, 1, 0], columns [1, 0, 1, 2, 1] of the input.
    #expect(gz.value.scalars == [2, 6, 2, 2, 6, 2])
  }
}

/// Padded max pooling picks the first maximum of each window in row-major
/// order and never the padding, whether the window lies inside the image
/// (the unchecked scan) or over its border; inputs with many ties, and some
/// −∞ values, which padding must not win against. Rows wider than eight
/// outputs cover the vector kernel's full and partial blocks; the pooled
/// values are the inputs at the indices, on one thread and on two.
@Test(arguments: [(3, 1, 1), (3, 2, 1), (2, 2, 1), (5, 1, 2), (5, 2, 2), (3, 1, 0), (4, 3, 2), (2, 1, 0)])
func paddedMaxPoolIndicesMatchAPlainScan(kernel: Int, stride: Int, padding: Int) {
  var rng = SplitMix64(seed: UInt64(kernel * 100 + stride * 10 + padding))
  for (h, w) in [(1, 1), (2, 3), (3, 3), (7, 5), (8, 8), (11, 6), (6, 19), (9, 33)] where h + 2 * padding >= kernel && w + 2 * padding >= kernel {
    let x = Tensor(shape: [2, 3, h, w], scalars: (0..<(6 * h * w)).map { _ in
      Int.random(in: 0..<20, using: &rng) == 0 ? -Float.infinity : Float(Int.random(in: -3...3, using: &rng))
    })
    let (indices, shape) = x.maxPool2dIndices(kernelSize: kernel, stride: stride, padding: padding)
    let (values, valueIndices) = x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding)
    #expect(valueIndices == indices)
    #expect(values.scalars == indices.map { x.scalars[Int($0)] })
    let threaded = withParallelism(threads: 2) { x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding) }
    #expect(threaded.indices == indices && threaded.values == values)
    let (ho, wo) = ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
    #expect(shape == [2, 3, ho, wo])
    var expected: [Int32] = []
    for plane in 0..<6 {
      for i in 0..<ho {
        for j in 0..<wo {
          var bestIndex = -1
          for a in 0..<kernel {
            for b in 0..<kernel {
              let (r, col) = (i * stride - padding + a, j * stride - padding + b)
              guard (0..<h).contains(r), (0..<w).contains(col) else { continue }
              let q = plane * h * w + r * w + col
              if bestIndex < 0 || x.scalars[q] > x.scalars[bestIndex] { bestIndex = q }
            }
          }
          expected.append(Int32(bestIndex))
        }
      }
    }
    #expect(indices == expected, "\(kernel)×\(kernel) stride \(stride) padding \(padding) on \(h)×\(w)")
  }
}
