import GTNAutodiff
import Testing

// Every convolution variant, first and second order. The convolution is
// bilinear, so its Hessian has cross terms already; the tanh afterwards adds
// curvature in each argument alone.

@Suite struct ConvolutionGradientTests {
  static let configs: [ConvConfig] = [
    ConvConfig(input: [2, 3, 4, 5], filter: [2, 3, 1, 1], stride: 1, padding: 0),  // 1×1 pointwise
    ConvConfig(input: [1, 2, 5, 4], filter: [3, 2, 1, 1], stride: 2, padding: 0),  // 1×1, stride 2
    ConvConfig(input: [1, 2, 3, 4], filter: [2, 2, 1, 1], stride: 1, padding: 1),  // 1×1, padding 1
    ConvConfig(input: [1, 2, 5, 7], filter: [2, 2, 3, 3], stride: 1, padding: 0),
    ConvConfig(input: [2, 2, 5, 4], filter: [2, 2, 3, 3], stride: 1, padding: 1),
    ConvConfig(input: [1, 3, 5, 6], filter: [2, 3, 3, 3], stride: 2, padding: 1),
    ConvConfig(input: [1, 2, 5, 5], filter: [2, 2, 3, 3], stride: 2, padding: 2),
    ConvConfig(input: [1, 2, 4, 3], filter: [3, 2, 2, 3], stride: 1, padding: 2),  // non-square kernel
    ConvConfig(input: [1, 1, 3, 1], filter: [2, 1, 3, 5], stride: 1, padding: 2),  // kernel wider than input
    ConvConfig(input: [1, 2, 7, 6], filter: [1, 2, 3, 2], stride: 3, padding: 1),
    ConvConfig(input: [3, 1, 5, 4], filter: [2, 1, 3, 3], stride: 1, padding: 1),  // one input channel, 3 images per block
    ConvConfig(input: [3, 2, 5, 5], filter: [2, 2, 3, 3], stride: 2, padding: 0),
    ConvConfig(input: [2, 2, 5, 4], filter: [3, 2, 3, 3], stride: 1, padding: 1),  // shifted-plane rows
    ConvConfig(input: [1, 2, 3, 4], filter: [3, 2, 1, 3], stride: 1, padding: 1),  // shifted-plane rows, taller output
  ]

  @Test(arguments: configs)
  func conv2dGradients(config g: ConvConfig) {
    runGradientCheck(GradientCase("conv2d \(g.testDescription)", [g.input, g.filter]) { v in
      (conv2d(v[0], filter: v[1], stride: g.stride, padding: g.padding) * 0.5).tanh()
    })
  }

  @Test(arguments: configs)
  func conv2dWithBiasGradients(config g: ConvConfig) {
    runGradientCheck(GradientCase("conv2d bias \(g.testDescription)", [g.input, g.filter, [g.filter[0]]]) { v in
      (conv2d(v[0], filter: v[1], bias: v[2], stride: g.stride, padding: g.padding) * 0.5).tanh()
    })
  }

  @Test(arguments: configs)
  func conv2dInputGradientGradients(config g: ConvConfig) {
    runGradientCheck(GradientCase("conv2dInputGradient \(g.testDescription)", [g.output, g.filter]) { v in
      (conv2dInputGradient(v[0], filter: v[1], inputShape: g.input, stride: g.stride, padding: g.padding) * 0.5).tanh()
    })
  }

  @Test(arguments: configs)
  func conv2dFilterGradientGradients(config g: ConvConfig) {
    runGradientCheck(GradientCase("conv2dFilterGradient \(g.testDescription)", [g.input, g.output]) { v in
      (conv2dFilterGradient(v[0], outputGradient: v[1], filterShape: g.filter, stride: g.stride, padding: g.padding) * 0.3).tanh()
    })
  }

  static let transposedConfigs: [(input: [Int], filter: [Int], stride: Int, padding: Int)] = [
    ([1, 3, 3, 4], [3, 2, 3, 3], 1, 0),
    ([2, 2, 3, 2], [2, 3, 3, 3], 2, 1),
    ([1, 2, 2, 3], [2, 2, 4, 4], 2, 1),  // DCGAN-style 4×4, stride 2
    ([1, 2, 3, 3], [2, 1, 1, 1], 2, 0),
  ]

  @Test(arguments: 0..<transposedConfigs.count)
  func conv2dTransposedGradients(index: Int) {
    let t = Self.transposedConfigs[index]
    let name = "conv2dTransposed x\(t.input) w\(t.filter) s\(t.stride) p\(t.padding)"
    runGradientCheck(GradientCase(name, [t.input, t.filter]) { v in
      (conv2dTransposed(v[0], filter: v[1], stride: t.stride, padding: t.padding) * 0.5).tanh()
    })
  }

  @Test(arguments: 0..<transposedConfigs.count)
  func conv2dTransposedForward(index: Int) {
    let t = Self.transposedConfigs[index]
    var rng = SplitMix64(seed: UInt64(index) + 100)
    let x = randomTensor(t.input, &rng)
    let w = randomTensor(t.filter, &rng)
    let h = (t.input[2] - 1) * t.stride - 2 * t.padding + t.filter[2]
    let wd = (t.input[3] - 1) * t.stride - 2 * t.padding + t.filter[3]
    let g = ConvConfig(input: [t.input[0], t.filter[1], h, wd], filter: t.filter, stride: t.stride, padding: t.padding)
    #expect(g.output == t.input)
    let y = conv2dTransposed(Variable(x), filter: Variable(w), stride: t.stride, padding: t.padding)
    expectClose(y.value, naiveConv2dInputGradient(x, w, g), shape: g.input)
  }

  @Test func handComputedTransposedConvolution() {
    // A 1×1×2×2 input through a 2×2 kernel of ones at stride 2 tiles each
    // value into its own 2×2 block.
    let x = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
    let y = conv2dTransposed(x, filter: Variable(Tensor(ones: [1, 1, 2, 2])), stride: 2)
    #expect(y.shape == [1, 1, 4, 4])
    #expect(y.value.scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
  }

  /// The backward rules close over the three maps: the gradient of conv2d is
  /// exactly the input- and filter-gradient kernels.
  @Test func conv2dGradientIsTheAdjointTriangle() {
    let g = ConvConfig(input: [2, 3, 5, 4], filter: [2, 3, 3, 3], stride: 2, padding: 1)
    var rng = SplitMix64(seed: 77)
    let x = Variable(randomTensor(g.input, &rng), requiresGradient: true)
    let w = Variable(randomTensor(g.filter, &rng), requiresGradient: true)
    let dy = randomTensor(g.output, &rng)
    let y = conv2d(x, filter: w, stride: 2, padding: 1)
    let grads = gradients(of: y, withRespectTo: [x, w], seed: Variable(dy))
    #expect(grads[0].value == Tensor.conv2dInputGradient(dy, filter: w.value, inputShape: g.input, stride: 2, padding: 1))
    #expect(grads[1].value == Tensor.conv2dFilterGradient(x.value, outputGradient: dy, filterShape: g.filter, stride: 2, padding: 1))
  }
}
