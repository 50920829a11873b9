import Foundation
import Testing
@testable import GTNData

/// Decoded real files, shared by all tests of one process so each is
/// decoded once.
enum RealData {
  static let cifarTrainNames = (1...5).map { "data_batch_\($0).bin" }

  /// The six CIFAR-10 batch files, training first, then `test_batch.bin`.
  static let cifarBatches: Result<[CIFAR10Batch], DataError> = Result {
    let urls = try DataLocator(directory: Env.dataDirectory).locate(cifarTrainNames + ["test_batch.bin"], of: .cifar10)
    return try urls.map { try CIFAR10Batch(contentsOf: $0) }
  }.mapError { $0 as! DataError }

  static let mnistTrain: Result<Dataset, DataError> = Result {
    try Dataset.mnist(split: .train, from: Env.dataDirectory, normalization: .raw)
  }.mapError { $0 as! DataError }
}

@Suite(
  "Real MNIST", .enabled(if: Env.hasData, "GTN_DATA_DIR is not set; point it at the folder holding mnist/ to run"))
struct RealMNISTTests {
  @Test func trainingSet() throws {
    let train = try RealData.mnistTrain.get()
    #expect(train.images.shape == [60_000, 1, 28, 28])
    #expect(train.labelHistogram == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    #expect(train.labels.first == 5)
    let (mean, firstSum) = train.images.withUnsafeBufferPointer { pixels in
      var sum = 0.0
      for v in pixels { sum += Double(v) }
      return (sum / Double(pixels.count), pixels[0..<784].reduce(0, +))
    }
    #expect(abs(mean - 33.32) < 0.005)
    #expect(firstSum == 27525)
    // The GTN paper's split: 50,000 training, the last 10,000 for validation.
    let (training, validation) = train.splitting(validationCount: 10_000)
    #expect(training.count == 50_000)
    #expect(validation.labels == Array(train.labels[50_000...]))
  }

  @Test func testSetWithChecksums() throws {
    let test = try Dataset.mnist(split: .test, from: Env.dataDirectory, normalization: .zeroToOne, verifyingChecksums: true)
    #expect(test.count == 10_000)
    #expect(test.labelHistogram == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    #expect(test.labels.first == 7)
    #expect((test.images.scalars[0..<784].reduce(0, +) * 255).rounded() == 18454)
  }

  @Test func publishedArchiveChecksums() throws {
    let names = KnownChecksums.mnistArchives.keys.sorted()
    let urls = try DataLocator(directory: Env.dataDirectory).locate(names.map { String($0.dropLast(3)) }, of: .mnist)
    for (name, url) in zip(names, urls) {
      try #require(url.lastPathComponent == name, "the published checksums are of the .gz files")
      #expect(MD5.hexDigest(of: [UInt8](try Data(contentsOf: url))) == KnownChecksums.mnistArchives[name])
    }
  }

  @Test func standardizedHasUnitStatistics() throws {
    let test = try Dataset.mnist(split: .test, from: Env.dataDirectory)
    let (mean, variance) = test.images.withUnsafeBufferPointer { p in
      var s = 0.0, q = 0.0
      for v in p { s += Double(v); q += Double(v) * Double(v) }
      let m = s / Double(p.count)
      return (m, q / Double(p.count) - m * m)
    }
    // The test set is standardised with the training statistics.
    #expect(abs(mean - (33.79 - 33.32) / 78.57) < 0.002)
    #expect(abs(variance.squareRoot() - 79.17 / 78.57) < 0.002)
  }
}

@Suite(
  "Real CIFAR-10", .enabled(if: Env.hasData, "GTN_DATA_DIR is not set; point it at the folder holding cifar-10-batches-bin/ to run"))
struct RealCIFAR10Tests {
  @Test func batchFilesCountsHistogramsAndFirstImages() throws {
    let batches = try RealData.cifarBatches.get()
    #expect(batches.map(\.count) == [10_000, 10_000, 10_000, 10_000, 10_000, 10_000])
    let histograms = batches.map { batch in
      (0..<10).map { c in batch.labels.lazy.filter { $0 == c }.count }
    }
    #expect(histograms == [
      [1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981],
      [984, 1007, 1010, 995, 1010, 988, 1008, 1026, 987, 985],
      [994, 1042, 965, 997, 990, 1029, 978, 1015, 961, 1029],
      [1003, 963, 1041, 976, 1004, 1021, 1004, 981, 1024, 983],
      [1014, 1014, 952, 1016, 997, 1025, 980, 977, 1003, 1022],
      [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    ])
    #expect(batches.map { $0.labels[0] } == [6, 1, 8, 0, 1, 3])
    #expect(batches.map { $0.pixels[0..<3072].reduce(0) { $0 + Int($1) } } == [317790, 369204, 286831, 385234, 501355, 332962])
  }

  @Test func publishedChecksumsOfDecompressedFiles() throws {
    let batches = try RealData.cifarBatches.get()
    for (name, batch) in zip(RealData.cifarTrainNames + ["test_batch.bin"], batches) {
      #expect(MD5.hexDigest(of: batch.encoded()) == KnownChecksums.content[name], "\(name)")
    }
  }

  @Test func trainingStatisticsAndSplit() throws {
    let batches = try RealData.cifarBatches.get()
    var pixels: [UInt8] = []
    for batch in batches.prefix(5) { pixels += batch.pixels }
    let stats = ChannelStatistics(pixels: pixels, channels: 3, planeSize: 1024)
    for (found, published) in zip(stats.mean + stats.standardDeviation, ChannelStatistics.cifar10.mean + ChannelStatistics.cifar10.standardDeviation) {
      #expect(abs(found - published) < 0.006)
    }
    let train = Dataset(cifar10Batches: Array(batches.prefix(5)), normalization: .standardized)
    #expect(train.images.shape == [50_000, 3, 32, 32])
    #expect(train.labelHistogram == [Int](repeating: 5000, count: 10))
    // The GTN paper's split: 45,000 training, the last 5,000 for validation.
    let (training, validation) = train.splitting(validationCount: 5_000)
    #expect(training.count == 45_000)
    #expect(validation.labels == batches[4].labels[5_000...].map(Int.init))
    var rng = SplitMix64(seed: 11)
    let batch = validation.batches(size: 128, using: &rng).first { _ in true }!
    let augmented = batch.augmented(using: &rng)
    #expect(augmented.images.shape == [128, 3, 32, 32])
  }

  @Test func testSplitLoaderWithMetaFile() throws {
    let test = try Dataset.cifar10(split: .test, from: Env.dataDirectory, normalization: .zeroToOne, verifyingChecksums: true)
    #expect(test.count == 10_000)
    #expect(test.classNames == Dataset.cifar10ClassNames)
    #expect(test.labels.first == 3)
  }
}

@Suite(
  "Real Fashion-MNIST",
  .enabled(if: Env.hasFashionMNIST, "Fashion-MNIST is not installed; run apt-get install dataset-fashion-mnist"))
struct RealFashionMNISTTests {
  @Test func bothSplitsFromTheDebianLocation() throws {
    let debian = URL(fileURLWithPath: DataLocator.debianFashionMNISTDirectory)
    let train = try Dataset.fashionMNIST(split: .train, from: debian, normalization: .raw, verifyingChecksums: true)
    #expect(train.count == 60_000)
    #expect(train.labelHistogram == [Int](repeating: 6000, count: 10))
    #expect(train.labels.first == 9)
    #expect(train.images.scalars[0..<784].reduce(0, +) == 76247)
    let mean = train.images.withUnsafeBufferPointer { p in p.reduce(0.0) { $0 + Double($1) } / Double(p.count) }
    #expect(abs(mean - 72.94) < 0.005)
    let test = try Dataset.fashionMNIST(split: .test, from: debian, verifyingChecksums: true)
    #expect(test.labelHistogram == [Int](repeating: 1000, count: 10))
    #expect(test.classNames[9] == "Ankle boot")
  }
}
