// mnist-gtn — meta-train a Generative Teaching Network on MNIST (or
// Fashion-MNIST) and compare learners trained on its synthetic data with
// learners trained on real data for the same number of SGD steps.

import Foundation
import GTNData
import _GTNExamplesSupport

/// The defaults: `--recipe auto` (the conv-bn-pixels recipe from a
/// ten-minute `--time-budget` on, conv-bn-real-pixels from five, else the MLP
/// recipe), tried on MNIST.
let defaults = ExampleOptions.withRecipes(dataset: .mnist)

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
