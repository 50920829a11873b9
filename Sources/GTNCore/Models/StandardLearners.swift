extension Sequential {
  /// The GTN paper's MNIST learner: conv3×3(64)–maxpool–BN–LReLU,
  /// conv3×3(128)–maxpool–BN–LReLU, FC(256)–BN–LReLU, FC(K), every layer
  /// weight-normalised and every batch norm mean-only.
  ///
  /// - Parameters:
  ///   - inputChannels: 1 for MNIST, 3 for CIFAR-10.
  ///   - imageSize: The side of the square input (divisible by 4).
  ///   - classCount: K.
  public static func paperLearner(inputChannels: Int = 1, imageSize: Int = 28, classCount: Int = 10) -> Sequential {
    precondition(imageSize % 4 == 0, "paperLearner needs an image size divisible by 4, got \(imageSize)")
    let side = imageSize / 4
    return Sequential(
      Conv2D(inputChannels, 64, weightNormalized: true), MaxPool2D(), BatchNorm(64, meanOnly: true), LeakyReLU(0.1),
      Conv2D(64, 128, weightNormalized: true), MaxPool2D(), BatchNorm(128, meanOnly: true), LeakyReLU(0.1),
      Flatten(), Linear(128 * side * side, 256, weightNormalized: true), BatchNorm(256, meanOnly: true), LeakyReLU(0.1),
      Linear(256, classCount, weightNormalized: true))
  }

  /// A lean convolutional learner (the benchmark workload W2's):
  /// Conv(C→16)–LReLU–pool2–Conv(16→32)–LReLU–pool2–Linear(32·(S/4)², K),
  /// optionally with mean-only batch norm after each convolution and weight
  /// normalisation of every layer — the paper's stabilisers for meta-training.
  public static func smallConvLearner(
    inputChannels: Int = 1, imageSize: Int = 28, classCount: Int = 10, widths: (Int, Int) = (16, 32),
    batchNorm: Bool = false, weightNormalized: Bool = false
  ) -> Sequential {
    precondition(imageSize % 4 == 0, "smallConvLearner needs an image size divisible by 4, got \(imageSize)")
    let side = imageSize / 4
    func block(_ input: Int, _ output: Int) -> [any Layer] {
      [Conv2D(input, output, weightNormalized: weightNormalized)] + (batchNorm ? [BatchNorm(output, meanOnly: true)] : []) + [LeakyReLU(0.1), MaxPool2D()]
    }
    return Sequential(
      block(inputChannels, widths.0) + block(widths.0, widths.1) + [Flatten(), Linear(widths.1 * side * side, classCount, weightNormalized: weightNormalized)])
  }

  /// A one-hidden-layer perceptron (the benchmark workload W1's):
  /// Flatten–Linear(D, H)–LReLU–Linear(H, K).
  public static func mlpLearner(inputSize: Int = 784, hiddenSize: Int = 128, classCount: Int = 10) -> Sequential {
    Sequential(Flatten(), Linear(inputSize, hiddenSize), LeakyReLU(0.1), Linear(hiddenSize, classCount))
  }
}
