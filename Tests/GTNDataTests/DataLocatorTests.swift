import Foundation
import Testing
@testable import GTNData

@Suite("DataLocator")
struct DataLocatorTests {
  let names = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

  @Test func findsSubfolderOrDirectFilesPlainOrGzip() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    let sub = tmp.url.appendingPathComponent("mnist")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    try Data([1]).write(to: sub.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
    try Data([1]).write(to: sub.appendingPathComponent("t10k-labels-idx1-ubyte"))

    let viaEnvironment = DataLocator(environment: ["GTN_DATA_DIR": tmp.url.path])
    let found = try viaEnvironment.locate(names, of: .mnist)
    #expect(found.map(\.lastPathComponent) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"])
    #expect(found[0].deletingLastPathComponent().lastPathComponent == "mnist")

    // GTN_DATA_DIR pointing directly at the files.
    let direct = DataLocator(environment: ["GTN_DATA_DIR": sub.path])
    #expect(try direct.locate(names, of: .mnist).count == 2)

    // An explicit directory wins over the environment.
    let explicit = DataLocator(directory: sub, environment: ["GTN_DATA_DIR": "/nonexistent"])
    #expect(try explicit.locate(names, of: .mnist).count == 2)
  }

  @Test func errorListsEveryPlaceSearched() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    let locator = DataLocator(environment: ["GTN_DATA_DIR": tmp.url.path], searchesSystemLocations: false)
    let error = DataError.caught { _ = try locator.locate(["data_batch_1.bin"], of: .cifar10) }
    #expect(error?.kind == .notFound)
    let text = error?.description ?? ""
    for candidate in locator.candidateDirectories(for: .cifar10) {
      #expect(text.contains(candidate.path))
    }
    #expect(text.contains("cifar-10-batches-bin"))
    #expect(text.contains("cs.toronto.edu"))

    let unset = DataLocator(environment: [:], searchesSystemLocations: false)
    #expect(unset.candidateDirectories(for: .mnist).isEmpty)
    let unsetError = DataError.caught { _ = try unset.locate(["x"], of: .mnist) }
    #expect(unsetError?.description.contains("GTN_DATA_DIR is not set") == true)
  }

  @Test func fashionMNISTFallsBackToDebianLocation() {
    let locator = DataLocator(environment: [:])
    #expect(locator.candidateDirectories(for: .fashionMNIST).map(\.path) == ["/usr/share/datasets/fashion-mnist"])
    let error = DataError.caught { _ = try DataLocator(environment: [:]).locate(["nope"], of: .fashionMNIST) }
    #expect(error?.description.contains("apt-get install dataset-fashion-mnist") == true)
  }

  @Test func loadersUseTheLocator() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    _ = try tmp.write(Fixtures.gzip(Fixtures.idxImages(count: 3)), to: "train-images-idx3-ubyte.gz")
    _ = try tmp.write(Fixtures.idxLabels([3, 1, 4]), to: "train-labels-idx1-ubyte")
    let data = try Dataset.mnist(split: .train, from: tmp.url, normalization: .zeroToOne)
    #expect(data.images.shape == [3, 1, 28, 28])
    #expect(data.labels == [3, 1, 4])
    #expect(data.classNames == Dataset.mnistClassNames)
    // Checksum verification of files that are not the real MNIST fails.
    let error = DataError.caught { _ = try Dataset.mnist(split: .train, from: tmp.url, verifyingChecksums: true) }
    #expect(error?.kind == .checksumMismatch)
    // The test split is missing.
    #expect(DataError.caught { _ = try Dataset.mnist(split: .test, from: tmp.url) }?.kind == .notFound)

    _ = try tmp.write(Fixtures.cifarRecords(count: 2), to: "test_batch.bin")
    let cifar = try Dataset.cifar10(split: .test, from: tmp.url, normalization: .raw)
    #expect(cifar.images.shape == [2, 3, 32, 32])
    #expect(cifar.classNames == Dataset.cifar10ClassNames)
    _ = try tmp.write(Array("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n".utf8), to: "batches.meta.txt")
    #expect(try Dataset.cifar10(split: .test, from: tmp.url).classNames.first == "a")
  }

  @Test func loadersReportBadFilesWithTheirNames() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.cleanup() }
    _ = try tmp.write(Fixtures.idxImages(count: 3), to: "t10k-images-idx3-ubyte")
    _ = try tmp.write(Fixtures.idxLabels([1, 2]), to: "t10k-labels-idx1-ubyte")
    let mismatch = DataError.caught { _ = try Dataset.mnist(split: .test, from: tmp.url) }
    #expect(mismatch?.kind == .countMismatch)
    #expect(mismatch?.file.contains("t10k-labels-idx1-ubyte") == true)

    _ = try tmp.write(Fixtures.idxLabels([1, 2, 12]), to: "t10k-labels-idx1-ubyte")
    #expect(DataError.caught { _ = try Dataset.fashionMNIST(split: .test, from: tmp.url) }?.kind == .labelOutOfRange)

    // Truncated label files at every header boundary.
    let labels = Fixtures.idxLabels([1, 2, 3])
    for length in [0, 1, 2, 3, 4, 5, 7, 8, 10] {
      _ = try tmp.write(Array(labels[..<length]), to: "t10k-labels-idx1-ubyte")
      let error = DataError.caught { _ = try Dataset.mnist(split: .test, from: tmp.url) }
      #expect(error?.kind == (length == 0 ? .empty : .truncated), "length \(length)")
      #expect(error?.file == "t10k-labels-idx1-ubyte")
    }

    // A CIFAR batch among several that is corrupt fails the whole load.
    for i in 1...5 { _ = try tmp.write(Fixtures.gzip(Fixtures.cifarRecords(count: 1)), to: "data_batch_\(i).bin.gz") }
    #expect(try Dataset.cifar10(split: .train, from: tmp.url).count == 5)
    _ = try tmp.write(Array(Fixtures.gzip(Fixtures.cifarRecords(count: 1)).dropLast(30)), to: "data_batch_4.bin.gz")
    let corrupt = DataError.caught { _ = try Dataset.cifar10(split: .train, from: tmp.url) }
    #expect(corrupt?.kind == .truncated)
    #expect(corrupt?.file == "data_batch_4.bin.gz")
    _ = try tmp.write(Array("only\nthree\nnames\n".utf8), to: "batches.meta.txt")
    #expect(DataError.caught { _ = try Dataset.cifar10(split: .train, from: tmp.url) }?.kind == .countMismatch)
  }
}
