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

  /// The GTN paper's CIFAR-10 learner: conv3×3(64), conv3×3(128, stride 2),
  /// conv3×3(128), conv3×3(256, stride 2), conv3×3(256), each followed by
  /// mean-only batch norm and LeakyReLU(0.1), then global average pooling
  /// and FC(K); every layer weight-normalised.
  ///
  /// The same as `stridedConvLearner(inputChannels:classCount:widths:batchNorm:weightNormalized:)`
  /// with widths (64, 128, 256).
  ///
  /// - Parameters:
  ///   - inputChannels: 3 for CIFAR-10.
  ///   - classCount: K.
  public static func paperCIFARLearner(inputChannels: Int = 3, classCount: Int = 10) -> Sequential {
    stridedConvLearner(inputChannels: inputChannels, classCount: classCount, widths: (64, 128, 256), batchNorm: true, weightNormalized: true)
  }

  /// A convolutional learner that downsamples with strided convolutions
  /// instead of pooling — the paper's CIFAR-10 learner's shape at any width:
  ///
  /// conv(C→w₀), conv(w₀→w₁, stride 2), conv(w₁→w₁), conv(w₁→w₂, stride 2),
  /// conv(w₂→w₂), each 3×3 with padding 1 and followed by (optionally
  /// mean-only batch norm and) LeakyReLU(0.1); then global average pooling
  /// and Linear(w₂, K). Works for any image size (the pooling is global).
  ///
  /// For an S×S input it costs about `9·S²·(C·w₀ + w₀·w₁/4 + w₁²/4 + w₁·w₂/16 + w₂²/16)`
  /// multiply–adds per image.
  ///
  /// - Parameters:
  ///   - inputChannels: C.
  ///   - classCount: K.
  ///   - widths: (w₀, w₁, w₂); the paper's are (64, 128, 256).
  ///   - batchNorm: Mean-only batch norm after each convolution.
  ///   - weightNormalized: Weight normalisation of every layer.
  public static func stridedConvLearner(
    inputChannels: Int = 3, classCount: Int = 10, widths: (Int, Int, Int) = (16, 32, 64),
    batchNorm: Bool = true, weightNormalized: Bool = true
  ) -> Sequential {
    func block(_ input: Int, _ output: Int, stride: Int) -> [any Layer] {
      [Conv2D(input, output, stride: stride, padding: 1, weightNormalized: weightNormalized)]
        + (batchNorm ? [BatchNorm(output, meanOnly: true)] : []) + [LeakyReLU(0.1)]
    }
    let (w0, w1, w2) = widths
    return Sequential(
      block(inputChannels, w0, stride: 1) + block(w0, w1, stride: 2) + block(w1, w1, stride: 1)
        + block(w1, w2, stride: 2) + block(w2, w2, stride: 1)
        + [GlobalAveragePool(), Linear(w2, classCount, weightNormalized: weightNormalized)])
  }

  /// A lean convolutional learner (the benchmark workload W2's):
  /// Conv(C→16)–pool2–LReLU–Conv(16→32)–pool2–LReLU–Linear(32·(S/4)², K),
  /// optionally with mean-only batch norm after each pooling and weight
  /// normalisation of every layer — the paper's stabilisers for meta-training.
  ///
  /// Max pooling comes straight after the convolution, as in the paper's
  /// learner. Without batch norm this equals W2's conv–LReLU–pool order (the
  /// two commute) at a quarter of the activation cost; with batch norm the
  /// order matters: normalising *before* pooling makes each 2×2 maximum pick
  /// centred outliers, and a few inner steps on an untrained generator's
  /// output then drive the learner's real-data loss up sharply, with
  /// meta-gradients four orders of magnitude larger than with this order —
  /// meta-training stalls at chance. (Measured: after 4 inner steps of 32
  /// generated images, real loss 4.7 with BN–LReLU–pool versus 2.5 here; with
  /// T = 16 the GTN learner reached 61% real-batch accuracy after 60 outer
  /// iterations with this order and stayed at 11% with the other.)
  ///
  /// With `hiddenUnits` H > 0 the head gains a hidden layer, as the
  /// paper's learner has: Flatten–Linear(32·(S/4)², H)–[mean-only batch
  /// norm]–LReLU–Linear(H, K).
  public static func smallConvLearner(
    inputChannels: Int = 1, imageSize: Int = 28, classCount: Int = 10, widths: (Int, Int) = (16, 32),
    hiddenUnits: Int = 0, batchNorm: Bool = false, weightNormalized: Bool = false
  ) -> Sequential {
    precondition(imageSize % 4 == 0, "smallConvLearner needs an image size divisible by 4, got \(imageSize)")
    precondition(hiddenUnits >= 0, "smallConvLearner needs hiddenUnits ≥ 0, got \(hiddenUnits)")
    let side = imageSize / 4
    func block(_ input: Int, _ output: Int) -> [any Layer] {
      [Conv2D(input, output, weightNormalized: weightNormalized), MaxPool2D()]
        + (batchNorm ? [BatchNorm(output, meanOnly: true)] : []) + [LeakyReLU(0.1)]
    }
    let features = widths.1 * side * side
    let head: [any Layer] =
      hiddenUnits == 0
      ? [Linear(features, classCount, weightNormalized: weightNormalized)]
      : [Linear(features, hiddenUnits, weightNormalized: weightNormalized)]
        + (batchNorm ? [BatchNorm(hiddenUnits, meanOnly: true)] : []) + [LeakyReLU(0.1)]
        + [Linear(hiddenUnits, classCount, weightNormalized: weightNormalized)]
    return Sequential(block(inputChannels, widths.0) + block(widths.0, widths.1) + [Flatten()] + head)
  }

  /// A one-hidden-layer perceptron (the benchmark workload W1's):
  /// Flatten–Linear(D, H)–LReLU–Linear(H, K).
  public static func mlpLearner(inputSize: Int = 784, hiddenSize: Int = 128, classCount: Int = 10) -> Sequential {
    Sequential(Flatten(), Linear(inputSize, hiddenSize), LeakyReLU(0.1), Linear(hiddenSize, classCount))
  }
}
