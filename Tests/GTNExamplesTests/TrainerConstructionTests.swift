import Foundation
import GTNCore
import GTNData
import Testing
import _GTNExamplesSupport

/// `--pixel-initialization real` reaches the trainer: its first images are
/// training images of each sample's class; `noise` leaves them random.
@Test func runnerStartsPixelCurriculaFromRealImagesWhenAsked() throws {
  var rng = SplitMix64(seed: 11)
  let labels = (0..<40).map { $0 % 10 }
  let training = Dataset(images: Tensor(randomNormal: [40, 1, 28, 28], using: &rng), labels: labels, classNames: Dataset.mnistClassNames)
  let data = ExampleData(name: "in memory", training: training, validation: training, test: training)
  var options = try #require(
    try ExampleOptions.parse(
      ["--curriculum", "pixels", "--inner-steps", "2", "--batch-size", "10", "--pixel-initialization", "real"],
      defaults: ExampleOptions(dataset: .mnist), datasets: [.mnist]))
  let images = try ExampleRunner(options: options, data: data).makeTrainer().state.metaParameters.curriculum["images"]
  #expect(images.shape == [2, 10, 1, 28, 28])
  let imageSize = 28 * 28
  let drawn = images.scalars, real = training.images.scalars
  for sample in 0..<20 {
    let pixels = drawn[(sample * imageSize)..<((sample + 1) * imageSize)]
    let source = (0..<40).first { real[($0 * imageSize)..<(($0 + 1) * imageSize)].elementsEqual(pixels) }
    #expect(source.map { labels[$0] } == sample % 10, "sample \(sample) is no training image of class \(sample % 10)")
  }
  options.pixelInitialization = .noise
  let noise = try ExampleRunner(options: options, data: data).makeTrainer().state.metaParameters.curriculum["images"]
  #expect(noise.shape == images.shape && noise != images)
}

/// `--learner-width W` builds the conv learners with widths W and 2W, and
/// `--learner-hidden-units H` gives their head a hidden layer of H units
/// (0: the single linear classifier).
@Test func learnerWidthAndHiddenUnitsShapeTheConvLearners() throws {
  var rng = SplitMix64(seed: 12)
  let training = Dataset(
    images: Tensor(randomNormal: [20, 1, 28, 28], using: &rng), labels: (0..<20).map { $0 % 10 }, classNames: Dataset.mnistClassNames)
  let data = ExampleData(name: "in memory", training: training, validation: training, test: training)
  for (kind, width, hidden) in [(LearnerKind.conv, 8, 0), (.convBatchNorm, 16, 48), (.convWeightNorm, 24, 24)] {
    let options = try #require(
      try ExampleOptions.parse(
        ["--learner", kind.rawValue, "--learner-width", "\(width)", "--learner-hidden-units", "\(hidden)", "--inner-steps", "2",
         "--batch-size", "10"],
        defaults: ExampleOptions(dataset: .mnist), datasets: [.mnist]))
    let learner = try #require(try ExampleRunner(options: options, data: data).makeTrainer().learners.first)
    var draw = SplitMix64(seed: 1)
    let shapes = learner.makeParameters(using: &draw).map(\.shape)
    #expect(shapes.contains([width, 1, 3, 3]) && shapes.contains([2 * width, width, 3, 3]), "\(kind): \(shapes)")
    let features = 2 * width * 7 * 7
    let matrices = shapes.filter { $0.count == 2 }
    let expected: [[Int]] = hidden == 0 ? [[10, features]] : [[hidden, features], [10, hidden]]
    #expect(matrices == expected, "\(kind): \(shapes)")
    #expect(try #require(learner as? Sequential).outputShape(forInputShape: [3, 1, 28, 28]) == [3, 10])
  }
}
