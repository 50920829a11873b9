// cifar-gtn — meta-train a Generative Teaching Network on CIFAR-10 and
// compare learners trained on its synthetic data with learners trained on
// (augmentation-free) real data for the same number of SGD steps, the real
// learner's learning rate tuned for each step budget.

import Foundation
import _GTNExamplesSupport

/// A CPU-sized default: the paper's strided learner at an eighth of its
/// width (8, 16, 32), the lean convolutional generator, T = 32 inner steps
/// of 32 samples (evaluation cycles the curriculum to reach 64 and 128
/// steps), augmented real batches of 128.
/// `--paper` selects the paper's setup.
var defaults = ExampleOptions(dataset: .cifar10)
defaults.learner = .named(.strided)
defaults.generator = .conv
defaults.innerSteps = 32
defaults.learnerWidth = 8
defaults.batchSize = 32
defaults.realBatchSize = 128
defaults.outerIterations = 300
defaults.intermediateLosses = 16
defaults.learningRate = 0.004
defaults.adamBeta2 = 0.9
defaults.innerLearningRate = 0.05
defaults.innerMomentum = 0.5
defaults.augment = true
defaults.evaluationSeeds = 3
defaults.evaluationSteps = [4, 8, 16, 24, 32, 48, 64, 96, 128]
defaults.tuneEachStepCount = true
defaults.output = "gtn-cifar-output"

runExample(
  program: "cifar-gtn",
  summary: """
    Meta-trains a GTN on CIFAR-10 (45k/5k split, 10k test; random crop and flip on the real batches) and reports \
    test accuracy after k steps on GTN versus real data, the real learning rate tuned for every k.
    """,
  defaults: defaults, datasets: [.cifar10]
) { options in
  try ExampleData.cifar10(
    directory: options.dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }, validationCount: options.validationCount)
}
