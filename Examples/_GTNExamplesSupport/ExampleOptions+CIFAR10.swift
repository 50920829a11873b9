// The defaults of cifar-gtn.

extension ExampleOptions {
  /// The defaults of `cifar-gtn`: a CPU-sized recipe that teaches faster than
  /// real data.
  ///
  /// The lean convolutional learner with batch normalisation at widths 8 and
  /// 16 (`conv-bn`); T = 128 inner steps of B = 64 images learned directly
  /// (`--curriculum pixels`), each starting as a real training image of its
  /// class (`--pixel-initialization real`), with learned soft labels; learned
  /// per-step rates from η = 0.1 and μ = 0.5; the loss on 256 augmented real
  /// images after every 16th step; outer Adam at 0.01 with β₂ = 0.9; 300 outer
  /// iterations, or as many as `--time-budget` allows. Evaluation at k = 16 …
  /// 512, the real-data learning rate tuned for each k; beyond T learners
  /// cycle through the 8,192 images and their learned rates again, which
  /// they are not trained for (accuracy falls there).
  ///
  /// `--curriculum learned` trains the conv generator instead (its images
  /// then start from noise and carry one-hot labels unless `--soft-labels`
  /// is given); `--paper` selects the paper's setup.
  public static var cifar10Defaults: ExampleOptions {
    var options = ExampleOptions(dataset: .cifar10)
    options.learner = .named(.convBatchNorm)
    options.learnerWidth = 8
    options.generator = .conv
    options.curriculum = .pixels
    options.pixelInitialization = .real
    options.softLabels = true
    options.innerSteps = 128
    options.batchSize = 64
    options.realBatchSize = 256
    options.outerIterations = 300
    options.intermediateLosses = 16
    options.learningRate = 0.01
    options.adamBeta2 = 0.9
    options.innerLearningRate = 0.1
    options.innerMomentum = 0.5
    options.augment = true
    options.evaluationSeeds = 3
    options.evaluationSteps = [16, 32, 64, 128, 256, 512]
    options.tuneEachStepCount = true
    options.output = "gtn-cifar-output"
    return options
  }
}
