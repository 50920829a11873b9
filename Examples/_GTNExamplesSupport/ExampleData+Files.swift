// The examples' data from the user's own files: a Keras-layout NumPy
// archive, a safetensors file of images and labels, or an image folder.

import Foundation
import GTNData

extension ExampleData {
  /// The seed of the random validation and held-out test splits of file
  /// sources: the same split on every run.
  static let splitSeed: UInt64 = 0x5EED_DA7A

  /// Loads a file source, scaling pixels to [-1, 1] (the generator's range).
  ///
  /// - `npz:FILE`: `x_train`/`y_train` and `x_test`/`y_test`.
  /// - `safetensors:FILE`: the tensors `imagesTensor` and `labelsTensor`; a
  ///   random sixth of the images (at least one) is the test split.
  /// - `folder:DIR`: `DIR/train` and `DIR/test`, or `DIR` with a random
  ///   sixth held out as the test split.
  ///
  /// The validation split is `validationCount` training images drawn at
  /// random with a fixed seed (`nil`: a sixth of them, at least one).
  ///
  /// - Throws: `DataError` naming the file for missing or malformed files;
  ///   ``ExampleError`` naming the file and `--validation-count` when too
  ///   few images are left to train on.
  public static func file(
    _ source: DatasetSource, validationCount: Int?, imagesTensor: String = "images", labelsTensor: String = "labels"
  ) throws -> ExampleData {
    let train: Dataset
    var test: Dataset?
    let path: String
    switch source {
    case .named(let kind):
      return try load(.named(kind), directory: nil, validationCount: validationCount)
    case .npz(let file):
      path = file
      (train, test) = try Dataset.npz(file: URL(fileURLWithPath: file), normalization: .minusOneToOne)
    case .safetensors(let file):
      path = file
      train = try Dataset.safetensors(
        file: URL(fileURLWithPath: file), imagesName: imagesTensor, labelsName: labelsTensor, normalization: .minusOneToOne)
    case .folder(let folder):
      path = folder
      (train, test) = try Dataset.imageFolder(URL(fileURLWithPath: folder, isDirectory: true), normalization: .minusOneToOne)
    }
    let name = URL(fileURLWithPath: path).lastPathComponent
    if let test {
      let (trainingSource, testSource) = if case .folder = source {
        (URL(fileURLWithPath: path).appendingPathComponent("train").path, URL(fileURLWithPath: path).appendingPathComponent("test").path)
      } else {
        ("\(path) (x_train, y_train)", "\(path) (x_test, y_test)")
      }
      return try assemble(
        name: name, pool: train, test: test, validationCount: validationCount, trainingSource: trainingSource, testSource: testSource)
    }
    let heldOut = Swift.max(1, train.count / 6)
    guard train.count > heldOut else {
      throw ExampleError(message: "\(path) holds \(train.count) image(s); a test split and a training split need at least 2")
    }
    var rng = SplitMix64(seed: splitSeed ^ 0x7E57)
    let (rest, heldOutTest) = train.splitting(validationCount: heldOut, using: &rng)
    return try assemble(
      name: name, pool: rest, test: heldOutTest, validationCount: validationCount, trainingSource: path,
      testSource: "\(path) (a random sixth held out for testing)")
  }

  /// The name of the scaling every example applies to pixel values: 0…255
  /// to [-1, 1], the generator's range.
  public static let normalizationName = "minus-one-to-one"

  /// The per-channel mean and standard deviation of the training split's
  /// pixels on the 0…255 scale (undoing the [-1, 1] scaling), recorded in
  /// the run's summary and checkpoint.
  ///
  /// - Complexity: O(n) in the training split's pixels.
  public var trainingPixelStatistics: ChannelStatistics {
    let shape = training.imageShape
    let (channels, plane) = (shape[0], shape[1] * shape[2])
    var sums = [Double](repeating: 0, count: channels)
    var squares = [Double](repeating: 0, count: channels)
    training.images.withUnsafeBufferPointer { values in
      var offset = 0
      while offset < values.count {
        for c in 0..<channels {
          var (s, q) = (0.0, 0.0)
          for i in offset..<(offset + plane) {
            let pixel = (Double(values[i]) + 1) * 127.5
            s += pixel
            q += pixel * pixel
          }
          sums[c] += s
          squares[c] += q
          offset += plane
        }
      }
    }
    let n = Double(Swift.max(1, training.count * plane))
    let means = sums.map { $0 / n }
    let deviations = (0..<channels).map { c in Swift.max(squares[c] / n - means[c] * means[c], 1e-6).squareRoot() }
    return ChannelStatistics(mean: means.map { Float($0) }, standardDeviation: deviations.map { Float($0) })
  }

  /// The data with `validationCount` (or a sixth) of `pool` drawn at random
  /// as the validation split.
  private static func assemble(
    name: String, pool: Dataset, test: Dataset, validationCount: Int?, trainingSource: String, testSource: String
  ) throws -> ExampleData {
    let count = validationCount ?? Swift.max(1, pool.count / 6)
    let (training, validation) = try split(pool, validationCount: count, source: trainingSource, randomly: true)
    return ExampleData(
      name: name, training: training, validation: validation, test: test, trainingSource: trainingSource, testSource: testSource)
  }
}
