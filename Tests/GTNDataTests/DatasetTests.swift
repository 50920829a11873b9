import Foundation
import Testing
@testable import GTNData

@Suite("Dataset")
struct DatasetTests {
  /// 10 images of 1×2×3 whose pixels encode their index; label = index % 3.
  static func small(count: Int = 10, channels: Int = 1, height: Int = 2, width: Int = 3) -> Dataset {
    let size = channels * height * width
    let images = Tensor(shape: [count, channels, height, width]) { buffer in
      for i in buffer.indices { buffer[i] = Float(i / size) * 100 + Float(i % size) }
    }
    return Dataset(images: images, labels: (0..<count).map { $0 % 3 }, classNames: ["a", "b", "c"])
  }

  @Test func batchGathersRows() {
    let data = Self.small()
    let batch = data.batch(at: [7, 2, 7])
    #expect(batch.images.shape == [3, 1, 2, 3])
    #expect(batch.labels == [1, 2, 1])
    #expect(Array(batch.images.scalars[0..<6]) == [700, 701, 702, 703, 704, 705])
    #expect(Array(batch.images.scalars[6..<12]) == [200, 201, 202, 203, 204, 205])
    #expect(data.subset([9]).images.scalars.first == 900)
    #expect(data.subset([Int]()).count == 0)
    #expect(data.labelHistogram == [4, 3, 3])
  }

  @Test func splitKeepsOrderAndIsDeterministic() {
    let data = Self.small()
    let (train, validation) = data.splitting(validationCount: 3)
    #expect(train.count == 7)
    #expect(validation.count == 3)
    #expect(validation.images.scalars.first == 700)
    #expect(train.images.scalars.last == 605)
    #expect(data.splitting(validationCount: 3) == (train, validation))

    var a = SplitMix64(seed: 5)
    var b = SplitMix64(seed: 5)
    let s1 = data.splitting(validationCount: 4, using: &a)
    let s2 = data.splitting(validationCount: 4, using: &b)
    #expect(s1 == s2)
    // Together the two parts hold every example exactly once.
    let firsts = (s1.training.images.scalars + s1.validation.images.scalars)
      .enumerated().filter { $0.offset % 6 == 0 }.map { Int($0.element) / 100 }
    #expect(firsts.sorted() == Array(0..<10))
    var c = SplitMix64(seed: 6)
    #expect(data.splitting(validationCount: 4, using: &c) != s1)
  }

  @Test func shuffledBatchesCoverEveryIndexOnceAndAreSeeded() {
    let data = Self.small(count: 23)
    var rng = SplitMix64(seed: 42)
    let epoch1 = data.batches(size: 5, using: &rng)
    let epoch2 = data.batches(size: 5, using: &rng)
    #expect(epoch1.count == 5)
    #expect(epoch1.order.sorted() == Array(0..<23))
    #expect(epoch2.order.sorted() == Array(0..<23))
    #expect(epoch1.order != epoch2.order)
    #expect(epoch1.order != Array(0..<23))
    var replay = SplitMix64(seed: 42)
    #expect(data.batches(size: 5, using: &replay).order == epoch1.order)

    var seen: [Int] = []
    var sizes: [Int] = []
    for batch in epoch1 {
      sizes.append(batch.count)
      seen += batch.images.scalars.enumerated().filter { $0.offset % 6 == 0 }.map { Int($0.element) / 100 }
    }
    #expect(sizes == [5, 5, 5, 5, 3])
    #expect(seen == epoch1.order)
    #expect(data.batches(size: 5, dropsLast: true).map(\.count) == [5, 5, 5, 5])
    var unused = SplitMix64(seed: 1)
    #expect(data.batches(size: 4, shuffled: false, using: &unused).order == Array(0..<23))
    #expect(unused == SplitMix64(seed: 1))
  }

  @Test func flipIsItsOwnInverse() {
    let batch = Self.small(channels: 3, height: 4, width: 5).batch(at: 0..<4)
    let flipped = batch.horizontallyFlipped()
    #expect(flipped != batch)
    #expect(flipped.horizontallyFlipped() == batch)
    // First row of image 0, channel 0 reversed.
    #expect(Array(flipped.images.scalars[0..<5]) == [4, 3, 2, 1, 0])
  }

  @Test func shiftPadsWithValue() {
    let batch = Self.small(height: 2, width: 3).batch(at: [1])
    let shifted = batch.shifted(dy: 0, dx: 1, padValue: -1)
    #expect(shifted.images.scalars == [101, 102, -1, 104, 105, -1])
    #expect(batch.shifted(dy: -1, dx: 0, padValue: 9).images.scalars == [9, 9, 9, 100, 101, 102])
  }

  @Test func augmentationPreservesShapeAndIsSeeded() {
    let batch = Self.small(count: 16, channels: 3, height: 32, width: 32).batch(at: 0..<16)
    var a = SplitMix64(seed: 3)
    var b = SplitMix64(seed: 3)
    let x = batch.augmented(using: &a)
    let y = batch.augmented(using: &b)
    #expect(x == y)
    #expect(x.images.shape == batch.images.shape)
    #expect(x.labels == batch.labels)
    #expect(x != batch)
    // Every output value is either an input value of the same image or the pad value.
    let size = 3 * 32 * 32
    let input = batch.images.scalars
    let output = x.images.scalars
    for i in 0..<16 {
      let allowed = Set(input[(i * size)..<((i + 1) * size)]).union([0])
      #expect(output[(i * size)..<((i + 1) * size)].allSatisfy(allowed.contains))
    }
    // Without padding or flipping nothing changes.
    var c = SplitMix64(seed: 9)
    #expect(batch.augmented(padding: 0, flipping: false, using: &c) == batch)
  }

  @Test func normalizationValues() {
    let s = ChannelStatistics.mnist
    #expect(Normalization.raw.value(255, channel: 0, statistics: s) == 255)
    #expect(Normalization.zeroToOne.value(255, channel: 0, statistics: s) == 1)
    #expect(Normalization.minusOneToOne.value(0, channel: 0, statistics: s) == -1)
    #expect(Normalization.minusOneToOne.value(255, channel: 0, statistics: s) == 1)
    #expect(abs(Normalization.standardized.value(33.32 + 78.57, channel: 0, statistics: s) - 1) < 1e-5)
    let custom = ChannelStatistics(mean: [10, 20], standardDeviation: [2, 4])
    #expect(Normalization.standardizedWith(custom).value(28, channel: 1, statistics: s) == 2)
    #expect(Normalization.zeroToOne.range(statistics: s) == 0...1)
    // Exact statistics from bytes.
    let stats = ChannelStatistics(pixels: [0, 2, 10, 10, 4, 6, 20, 20], channels: 2, planeSize: 2)
    #expect(stats.mean == [3, 15])
    #expect(stats.standardDeviation == [Float(5).squareRoot(), 5])
  }

  @Test func datasetFromIDXValidatesAgreement() throws {
    let images = try IDXFile(decoding: Fixtures.idxImages(count: 4, rows: 2, columns: 2))
    let labels = try IDXFile(decoding: Fixtures.idxLabels([0, 1, 2, 1]))
    let data = try Dataset(images: images, labels: labels, classNames: ["x", "y", "z"], normalization: .raw)
    #expect(data.images.shape == [4, 1, 2, 2])
    #expect(data.images.scalars == images.payload.map(Float.init))
    #expect(data.labels == [0, 1, 2, 1])

    let three = try IDXFile(decoding: Fixtures.idxLabels([0, 1, 2]))
    let mismatch = DataError.caught { _ = try Dataset(images: images, labels: three, classNames: ["x", "y", "z"], normalization: .raw) }
    #expect(mismatch?.kind == .countMismatch)
    let outOfRange = DataError.caught { _ = try Dataset(images: images, labels: labels, classNames: ["x", "y"], normalization: .raw) }
    #expect(outOfRange?.kind == .labelOutOfRange)
    #expect(outOfRange?.field == "label 2")
    #expect(outOfRange?.offset == 8 + 2)
    let swapped = DataError.caught { _ = try Dataset(images: labels, labels: images, classNames: ["x", "y", "z"], normalization: .raw) }
    #expect(swapped?.kind == .invalidHeader)
    // Zero images are a valid (empty) dataset.
    let none = try Dataset(
      images: IDXFile(decoding: Fixtures.idxImages(count: 0)), labels: IDXFile(decoding: Fixtures.idxLabels([])),
      classNames: ["x"], normalization: .standardized)
    #expect(none.images.shape == [0, 1, 28, 28])
    // Standardized without given statistics computes them: mean 0 afterwards.
    let standardized = try Dataset(images: images, labels: labels, classNames: ["x", "y", "z"], normalization: .standardized)
    #expect(abs(standardized.images.scalars.reduce(0, +) / 16) < 1e-4)
  }

  @Test func datasetFromCIFARBatches() throws {
    let batch = try CIFAR10Batch(decoding: Fixtures.cifarRecords(count: 3))
    let data = Dataset(cifar10Batches: [batch, batch], normalization: .zeroToOne)
    #expect(data.images.shape == [6, 3, 32, 32])
    #expect(data.labels == [0, 1, 2, 0, 1, 2])
    #expect(data.images.scalars[3 * 3072 + 5] == Float(batch.pixels[5]) / 255)
    let standardized = Dataset(cifar10Batches: [batch], normalization: .standardized)
    // Green plane of image 0 starts at 1024.
    let expected = (Float(batch.pixels[1024]) - 122.95) / 62.09
    #expect(abs(standardized.images.scalars[1024] - expected) < 1e-5)
  }
}
