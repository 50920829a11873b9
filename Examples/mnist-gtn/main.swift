// mnist-gtn — meta-train a Generative Teaching Network on MNIST (or
// Fashion-MNIST) and compare learners trained on its synthetic data with
// learners trained on real data for the same number of SGD steps.

import Foundation
import GTNData
import _GTNExamplesSupport

/// The default recipe: the MLP learner and generator, T = 32 steps of 128
/// images, the real-data loss after every inner step (so the data teaches
/// at every step count, not only at T), 800 outer iterations; the
/// real-data baseline's learning rate is tuned for each step count.
let defaults = {
  var options = ExampleOptions(dataset: .mnist)
  options.intermediateLosses = 1
  options.outerIterations = 800
  options.tuneEachStepCount = true
  return options
}()

runExample(
  program: "mnist-gtn",
  summary: "Meta-trains a GTN on MNIST (50k/10k split by default, 10k test) and reports test accuracy after T steps on GTN versus real data.",
  defaults: defaults, datasets: [.mnist, .fashionMNIST]
) { options in
  let directory = options.dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
  func load(_ dataset: DatasetKind) throws -> ExampleData { try ExampleData.mnistFamily(dataset, directory: directory, validationCount: options.validationCount) }
  do {
    return try load(options.dataset.kind ?? .mnist)
  } catch let error as DataError where options.dataset == .mnist && options.dataDirectory == nil {
    // MNIST not found: fall back to Debian's Fashion-MNIST package when present.
    guard let fallback = try? load(.fashionMNIST) else { throw error }
    FileHandle.standardError.write(Data("mnist-gtn: MNIST not found (\(error)); using Fashion-MNIST from the Debian package instead\n".utf8))
    return fallback
  }
}
