// cifar-gtn — meta-train a Generative Teaching Network on CIFAR-10 and
// compare learners trained on its synthetic data with learners trained on
// (augmentation-free) real data for the same number of SGD steps, the real
// learner's learning rate tuned for each step budget.

import Foundation
import _GTNExamplesSupport

runExample(
  program: "cifar-gtn",
  summary: """
    Meta-trains a GTN on CIFAR-10 (45k/5k split, 10k test; random crop and flip on the real batches) and reports \
    test accuracy after k steps on GTN versus real data, the real learning rate tuned for every k, and the real-data \
    steps that reach the GTN learners' accuracy. The defaults learn 8,192 images directly, starting from real ones \
    (ExampleOptions.cifar10Defaults); --curriculum learned trains a generator instead, --paper the paper's setup.
    """,
  defaults: .cifar10Defaults, datasets: [.cifar10]
) { options in
  try ExampleData.cifar10(
    directory: options.dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }, validationCount: options.validationCount)
}
