import GTNAutodiff
import Testing

// The depthwise convolution and its two adjoints, first and second order, and
// its values against a full convolution with a block-diagonal filter.

@Suite struct DepthwiseConvolutionGradientTests {
  /// `filter` is `[C, 1, KH, KW]`.
  static let configs: [ConvConfig] = [
    ConvConfig(input: [2, 3, 5, 4], filter: [3, 1, 3, 3], stride: 1, padding: 1),
    ConvConfig(input: [1, 2, 5, 5], filter: [2, 1, 3, 3], stride: 2, padding: 1),
    ConvConfig(input: [1, 2, 7, 6], filter: [2, 1, 5, 5], stride: 1, padding: 2),
    ConvConfig(input: [2, 2, 7, 7], filter: [2, 1, 5, 5], stride: 2, padding: 2),
    ConvConfig(input: [1, 3, 4, 5], filter: [3, 1, 2, 3], stride: 1, padding: 0),  // non-square, no padding
    ConvConfig(input: [1, 1, 3, 2], filter: [1, 1, 3, 5], stride: 1, padding: 2),  // kernel wider than input
    ConvConfig(input: [1, 2, 6, 5], filter: [2, 1, 1, 1], stride: 3, padding: 1),
  ]

  /// The output shape (`ConvConfig.output` takes its channels from the filter's first axis).
  static func outputShape(_ g: ConvConfig) -> [Int] { [g.input[0], g.input[1], g.outputHeight, g.outputWidth] }

  @Test(arguments: configs)
  func depthwiseConv2dGradients(config g: ConvConfig) {
    runGradientCheck(GradientCase("depthwiseConv2d \(g.testDescription)", [g.input, g.filter]) { v in
      (depthwiseConv2d(v[0], filter: v[1], stride: g.stride, padding: g.padding) * 0.5).tanh()
    })
  }

  @Test(arguments: configs)
  func depthwiseConv2dInputGradientGradients(config g: ConvConfig) {
    runGradientCheck(GradientCase("depthwiseConv2dInputGradient \(g.testDescription)", [Self.outputShape(g), g.filter]) { v in
      (depthwiseConv2dInputGradient(v[0], filter: v[1], inputShape: g.input, stride: g.stride, padding: g.padding) * 0.5).tanh()
    })
  }

  @Test(arguments: configs)
  func depthwiseConv2dFilterGradientGradients(config g: ConvConfig) {
    runGradientCheck(GradientCase("depthwiseConv2dFilterGradient \(g.testDescription)", [g.input, Self.outputShape(g)]) { v in
      (depthwiseConv2dFilterGradient(v[0], outputGradient: v[1], filterShape: g.filter, stride: g.stride, padding: g.padding) * 0.3).tanh()
    })
  }

  /// Planes wide and tall enough for the vector loops' full blocks and
  /// remainders, at strides 1 to 3, and enough of them to split across
  /// threads.
  static let largerConfigs: [ConvConfig] = [
    ConvConfig(input: [4, 8, 16, 16], filter: [8, 1, 3, 3], stride: 1, padding: 1),
    ConvConfig(input: [2, 3, 17, 19], filter: [3, 1, 5, 5], stride: 1, padding: 2),
    ConvConfig(input: [3, 2, 9, 40], filter: [2, 1, 3, 3], stride: 1, padding: 0),
    ConvConfig(input: [2, 4, 15, 13], filter: [4, 1, 3, 3], stride: 2, padding: 1),
    ConvConfig(input: [4, 8, 16, 21], filter: [8, 1, 5, 5], stride: 2, padding: 2),
    ConvConfig(input: [1, 3, 14, 17], filter: [3, 1, 3, 3], stride: 3, padding: 1),
  ]

  /// A depthwise convolution is a full one whose filter is zero off the
  /// channel diagonal; so are its adjoints.
  @Test(arguments: configs + largerConfigs)
  func agreesWithABlockDiagonalFullConvolution(config g: ConvConfig) {
    var rng = SplitMix64(seed: 21)
    let c = g.input[1]
    let x = Tensor(randomNormal: g.input, using: &rng)
    let w = Tensor(randomNormal: g.filter, using: &rng)
    let dy = Tensor(randomNormal: Self.outputShape(g), using: &rng)
    let plane = g.filter[2] * g.filter[3]
    let full = Tensor(shape: [c, c, g.filter[2], g.filter[3]]) { out in
      w.withUnsafeBufferPointer { f in
        for k in 0..<c { for t in 0..<plane { out[(k * c + k) * plane + t] = f[k * plane + t] } }
      }
    }
    expectClose(Tensor.depthwiseConv2d(x, filter: w, stride: g.stride, padding: g.padding),
                Tensor.conv2d(x, filter: full, stride: g.stride, padding: g.padding), tolerance: 1e-5)
    expectClose(Tensor.depthwiseConv2dInputGradient(dy, filter: w, inputShape: g.input, stride: g.stride, padding: g.padding),
                Tensor.conv2dInputGradient(dy, filter: full, inputShape: g.input, stride: g.stride, padding: g.padding), tolerance: 1e-5)
    let fullFilterGradient = Tensor.conv2dFilterGradient(x, outputGradient: dy, filterShape: full.shape, stride: g.stride, padding: g.padding)
    let diagonal = Tensor(shape: g.filter) { out in
      fullFilterGradient.withUnsafeBufferPointer { f in
        for k in 0..<c { for t in 0..<plane { out[k * plane + t] = f[(k * c + k) * plane + t] } }
      }
    }
    expectClose(Tensor.depthwiseConv2dFilterGradient(x, outputGradient: dy, filterShape: g.filter, stride: g.stride, padding: g.padding),
                diagonal, tolerance: 1e-5)
  }

  /// Two threads give the same values, bit for bit, as one.
  @Test(arguments: largerConfigs)
  func twoThreadsAgreeWithOne(config g: ConvConfig) {
    var rng = SplitMix64(seed: 5)
    let x = Tensor(randomNormal: g.input, using: &rng)
    let w = Tensor(randomNormal: g.filter, using: &rng)
    let dy = Tensor(randomNormal: Self.outputShape(g), using: &rng)
    func all() -> [Tensor] {
      [Tensor.depthwiseConv2d(x, filter: w, stride: g.stride, padding: g.padding),
       Tensor.depthwiseConv2dInputGradient(dy, filter: w, inputShape: g.input, stride: g.stride, padding: g.padding),
       Tensor.depthwiseConv2dFilterGradient(x, outputGradient: dy, filterShape: g.filter, stride: g.stride, padding: g.padding)]
    }
    #expect(withParallelism(threads: 2) { all() } == all())
  }
}
