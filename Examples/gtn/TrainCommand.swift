// gtn train: mnist-gtn's meta-training and evaluation, on any dataset
// source, through the examples' shared runner.

import Foundation
import _GTNExamplesSupport

/// mnist-gtn's defaults: `--recipe auto` (the conv-bn-pixels recipe from a
/// ten-minute `--time-budget` on, conv-bn-real-pixels from five, else the MLP
/// recipe).
let trainDefaults = ExampleOptions.withRecipes(dataset: .mnist)

/// Meta-trains, evaluates and writes the run's outputs as mnist-gtn does.
func runTrain(_ arguments: [String]) -> Never {
  // A file source without --validation-count holds out a sixth of its
  // training images (the bundled datasets their usual split).
  let givesValidationCount = arguments.contains { $0 == "--validation-count" || $0.hasPrefix("--validation-count=") }
  runExample(
    program: "gtn train",
    summary: "Meta-trains a GTN on a bundled dataset or your own files (npz:FILE, safetensors:FILE, folder:DIR) and reports "
      + "test accuracy after k steps on GTN data versus real data. The options are mnist-gtn's; --resume continues a run.",
    defaults: trainDefaults, datasets: DatasetKind.allCases, acceptsFiles: true, arguments: arguments
  ) { options in
    if options.dataset.kind != nil {
      return try ExampleData.load(options)
    }
    return try ExampleData.load(
      options.dataset, directory: nil, validationCount: givesValidationCount ? options.validationCount : nil,
      imagesTensor: options.imagesTensor, labelsTensor: options.labelsTensor)
  }
}
