extension ConditionalGenerator {
  /// The GTN paper's generator: `z ⊕ onehot(y)` → WN-Linear(1024)–BN–LReLU →
  /// WN-Linear(128·(S/4)²)–BN–LReLU → reshape → [up×2, reflection pad,
  /// WN-conv3×3 128→64]–BN–LReLU → [up×2, reflection pad, WN-conv3×3 64→C] →
  /// tanh, scaled by `outputScale`.
  ///
  /// - Parameters:
  ///   - noiseSize: The input vector length (128 in the paper).
  ///   - imageShape: `[C, S, S]` with S divisible by 4.
  ///   - classCount: K.
  ///   - outputScale: The factor after tanh; 2 lets the output span the
  ///     range of standardised MNIST pixels.
  public static func paper(
    noiseSize: Int = 128, imageShape: [Int] = [1, 28, 28], classCount: Int = 10, outputScale: Float = 2
  ) -> ConditionalGenerator {
    let (c, side) = (imageShape[0], imageShape[1] / 4)
    return ConditionalGenerator(noiseSize: noiseSize, classCount: classCount, network: Sequential(
      Linear(noiseSize + classCount, 1024, weightNormalized: true), BatchNorm(1024), LeakyReLU(0.1),
      Linear(1024, 128 * side * side, weightNormalized: true), BatchNorm(128 * side * side), LeakyReLU(0.1),
      Reshape([128, side, side]),
      Upsample(factor: 2), ReflectionPad(1), Conv2D(128, 64, padding: 0, weightNormalized: true), BatchNorm(64), LeakyReLU(0.1),
      Upsample(factor: 2), ReflectionPad(1), Conv2D(64, c, padding: 0, weightNormalized: true),
      Tanh(scale: outputScale)))
  }

  /// A lean convolutional generator (the benchmark workload W2's):
  /// `z ⊕ onehot(y)` → Linear(1024)–LReLU → Linear(32·(S/4)²)–LReLU → reshape →
  /// up2–Conv(32→16)–LReLU → up2–Conv(16→C) → tanh·scale.
  public static func smallConv(
    noiseSize: Int = 64, imageShape: [Int] = [1, 28, 28], classCount: Int = 10, outputScale: Float = 1
  ) -> ConditionalGenerator {
    let (c, side) = (imageShape[0], imageShape[1] / 4)
    return ConditionalGenerator(noiseSize: noiseSize, classCount: classCount, network: Sequential(
      Linear(noiseSize + classCount, 1024), LeakyReLU(0.1),
      Linear(1024, 32 * side * side), LeakyReLU(0.1), Reshape([32, side, side]),
      Upsample(factor: 2), Conv2D(32, 16), LeakyReLU(0.1),
      Upsample(factor: 2), Conv2D(16, c), Tanh(scale: outputScale)))
  }

  /// A two-layer perceptron generator (the benchmark workload W1's):
  /// `z ⊕ onehot(y)` → Linear(H)–LReLU → Linear(C·S²) → tanh·scale → reshape.
  public static func mlp(
    noiseSize: Int = 64, hiddenSize: Int = 256, imageShape: [Int] = [1, 28, 28], classCount: Int = 10,
    outputScale: Float = 1
  ) -> ConditionalGenerator {
    ConditionalGenerator(noiseSize: noiseSize, classCount: classCount, network: Sequential(
      Linear(noiseSize + classCount, hiddenSize), LeakyReLU(0.1),
      Linear(hiddenSize, imageShape.reduce(1, *)), Tanh(scale: outputScale), Reshape(imageShape)))
  }
}
