// The samples in GTNData's doc comments (`/// ```swift` blocks), compiled by
// `swift build` and checked against the sources by DocumentationSampleTests.
// Lines between `snippet.hide` and `snippet.show` set up what a sample takes
// as given. Most samples read the datasets or write files, so only the
// in-memory ones run.

import Foundation
import GTNData

// snippet.hide
/// A small in-memory dataset of `count` random MNIST-shaped images.
func randomDataset(_ count: Int = 32, seed: UInt64 = 0) -> Dataset {
  var rng = SplitMix64(seed: seed)
  return Dataset(
    images: Tensor(randomNormal: [count, 1, 28, 28], using: &rng), labels: (0..<count).map { $0 % 10 },
    classNames: Dataset.mnistClassNames)
}

let directory = URL(fileURLWithPath: "/data/mnist")
// snippet.show

// MARK: Checksums/KnownChecksums.swift

func knownChecksums() throws {
  // snippet.hide
  let url = URL(fileURLWithPath: "/data/cifar-10-batches-bin/test_batch.bin")
  // snippet.show
  let batch = try CIFAR10Batch(contentsOf: url)
  try KnownChecksums.verify(batch.encoded(), md5: KnownChecksums.content["test_batch.bin"]!, file: url.path)
}

// MARK: DataError.swift

func dataError() throws {
  do {
    let train = try Dataset.mnist(split: .train)
    print(train.count)
  } catch let error as DataError where error.kind == .notFound {
    print(error)   // lists every place that was searched
  }
}

// MARK: Datasets/Batch+Augmentation.swift

func augmented() {
  // snippet.hide
  let train = randomDataset()
  // snippet.show
  var rng = SplitMix64(seed: 1)
  for batch in train.batches(size: 128, using: &rng) {
    let input = batch.augmented(using: &rng)
    print(input.images.shape)   // train on input.images, input.labels
  }
}

// MARK: Datasets/Batch.swift

func batchAt() {
  // snippet.hide
  let dataset = randomDataset()
  // snippet.show
  let batch = dataset.batch(at: [3, 1, 4])
  print(batch.images.shape)   // [3, 1, 28, 28]
}

// MARK: Datasets/Dataset+Batching.swift

func batches() {
  // snippet.hide
  let train = randomDataset()
  // snippet.show
  var rng = SplitMix64(seed: 42)
  for _ in 0..<10 {   // ten epochs, each in a new order
    for batch in train.batches(size: 128, using: &rng) { print(batch.images.shape) }
  }
}

// MARK: Datasets/Dataset+CIFAR10.swift

func cifar10() throws {
  let train = try Dataset.cifar10(split: .train, normalization: .standardized)
  print(train.images.shape)   // [50000, 3, 32, 32]
}

// MARK: Datasets/Dataset+IDX.swift

func idxDataset() throws {
  // snippet.hide
  let dir = URL(fileURLWithPath: "/data/kmnist")
  // snippet.show
  let kmnist = try Dataset(
    images: IDXFile(contentsOf: dir.appending(path: "k49-train-imgs.idx3")),
    labels: IDXFile(contentsOf: dir.appending(path: "k49-train-labels.idx1")),
    classNames: (0..<49).map(String.init), normalization: .zeroToOne)
  // snippet.hide
  print(kmnist.count)
}

func mnist() throws {
  let test = try Dataset.mnist(split: .test, normalization: .zeroToOne)
  print(test.images.shape)   // [10000, 1, 28, 28]
}

// MARK: Datasets/Dataset.swift

func dataset() throws {
  let mnist = try Dataset.mnist(split: .train, normalization: .standardized)
  let (train, validation) = mnist.splitting(validationCount: 10_000)
  var rng = SplitMix64(seed: 7)
  for batch in train.batches(size: 128, using: &rng) {
    print(batch.images.shape, batch.labels.count)   // [128, 1, 28, 28] 128
  }
  // snippet.hide
  print(validation.count)
}

func datasetBatch() {
  // snippet.hide
  let dataset = randomDataset(64)
  // snippet.show
  let first = dataset.batch(at: 0..<64)
  // snippet.hide
  print(first.labels.count)
}

func splitting() throws {
  let (train, validation) = try Dataset.cifar10(split: .train).splitting(validationCount: 5_000)
  // snippet.hide
  print(train.count, validation.count)
}

// MARK: Datasets/Normalization.swift

func normalization() throws {
  let train = try Dataset.mnist(split: .train, normalization: .standardized)
  // pixel p becomes (p − 33.32) / 78.57
  // snippet.hide
  print(train.count)
}

func channelStatisticsCIFAR10() {
  let s = ChannelStatistics.cifar10
  print(s.mean)   // [125.31, 122.95, 113.87]
}

func channelStatistics() {
  // snippet.hide
  let batch = CIFAR10Batch(labels: [0, 1], pixels: (0..<2 * 3072).map { UInt8($0 % 256) })
  // snippet.show
  let s = ChannelStatistics(pixels: batch.pixels, channels: 3, planeSize: 1024)
  // snippet.hide
  print(s.mean, s.standardDeviation)
}

// MARK: Exports/IDXFile+Export.swift

func idxExport() throws {
  // snippet.hide
  let samples = randomDataset(8).batch(at: 0..<8)
  // snippet.show
  let file = IDXFile(images: samples.images, range: -1...1)
  try file.write(to: URL(fileURLWithPath: "gtn-images-idx3-ubyte"))
}

// MARK: Exports/ImageGrid.swift

func imageGrid() throws {
  // snippet.hide
  let batch = randomDataset(32).batch(at: 0..<32)
  // snippet.show
  let grid = ImageGrid(images: batch.images, rows: 4, columns: 8, scale: 3)
  try grid.write(to: URL(fileURLWithPath: "samples.png"))
}

// MARK: Exports/LinePlot.swift

func linePlot() throws {
  // snippet.hide
  let url = URL(fileURLWithPath: "accuracy.svg")
  // snippet.show
  var plot = LinePlot(title: "MNIST", xLabel: "SGD steps", yLabel: "test accuracy")
  plot.add(series: "GTN", points: [(1, 0.41), (8, 0.9), (32, 0.97)])
  try plot.svg().write(to: url, atomically: true, encoding: .utf8)
}

// MARK: Exports/ScatterPlot.swift

func scatterPlot() throws {
  // snippet.hide
  let url = URL(fileURLWithPath: "ranks.svg")
  // snippet.show
  var plot = ScatterPlot(title: "GTN proxy", xLabel: "rank by ground truth", yLabel: "rank by proxy", showsDiagonal: true)
  plot.add(series: "top half by proxy", points: [(1, 2), (2, 1)])
  plot.add(series: "bottom half", points: [(3, 4), (4, 3)])
  try plot.svg().write(to: url, atomically: true, encoding: .utf8)
}

// MARK: Readers/NumPyArray.swift

func numPyArray() throws {
  // snippet.hide
  let batch = randomDataset(8).batch(at: 0..<8)
  // snippet.show
  try NumPyArray(batch.images).write(to: URL(fileURLWithPath: "images.npy"))
  try NumPyArray(labels: batch.labels).write(to: URL(fileURLWithPath: "labels.npy"))
  // Python: numpy.load("images.npy").shape == (N, C, H, W)
}

func numPyArrayReading() throws {
  let array = try NumPyArray(contentsOf: URL(fileURLWithPath: "x_train.npy"))
  print(array.shape, array.scalarType!)   // [60000, 28, 28] uint8
  let pixels = array.floatValues()!        // 47,040,000 values
  // snippet.hide
  print(pixels.count)
}

func numPyArrayTyped() {
  let labels = NumPyArray(scalarType: .int32, shape: [2], data: [3, 0, 0, 0, 7, 0, 0, 0])
  print(labels.integerValues()!)   // [3, 7]
}

func numPyArrayDecoding() throws {
  // snippet.hide
  let bytes = NumPyArray(labels: [1, 2]).encoded()
  // snippet.show
  let array = try NumPyArray(decoding: bytes, source: "labels.npy")
  // snippet.hide
  print(array.shape)
}

// MARK: Readers/NumPyArchive.swift

func numPyArchive() throws {
  let archive = try NumPyArchive(contentsOf: URL(fileURLWithPath: "mnist.npz"))
  print(archive.names)                   // ["x_test", "x_train", "y_train", "y_test"]
  let images = try archive.array(named: "x_train")
  print(images.shape)                    // [60000, 28, 28]
}

func numPyArchiveEncode() throws {
  // snippet.hide
  let pixels = [UInt8](repeating: 0, count: 2 * 28 * 28)
  // snippet.show
  let bytes = try NumPyArchive.encode([("x_train", NumPyArray(bytes: pixels, shape: [2, 28, 28])),
                                       ("y_train", NumPyArray(labels: [3, 7]))], compressed: true)
  // snippet.hide
  print(try NumPyArchive(decoding: bytes).names)
}

// MARK: Readers/SafetensorsFile.swift

func safetensorsFile() throws {
  let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: "mnist.safetensors"))
  let images = file.arrays["images"]!   // e.g. U8, [60000, 28, 28]
  print(images.scalarType!, images.shape)
}

// MARK: Datasets/Dataset+Arrays.swift

func imageLayout() {
  print(ImageLayout.detect(shape: [60000, 28, 28])!)      // nhw
  print(ImageLayout.detect(shape: [50000, 32, 32, 3])!)   // nhwc
  print(ImageLayout.detect(shape: [50000, 3, 32, 32])!)   // nchw
}

func channelStatisticsOfValues() {
  // snippet.hide
  let pixels = (0..<(2 * 3 * 1024)).map { Float($0 % 256) }
  // snippet.show
  let s = ChannelStatistics(values: pixels, channels: 3, planeSize: 32 * 32)
  // snippet.hide
  print(s.mean)
}

func datasetFromPixels() throws {
  let pixels: [UInt8] = Array(repeating: 128, count: 2 * 28 * 28)
  let data = try Dataset(
    pixels: pixels, shape: [2, 28, 28], labels: [3, 7], classNames: Dataset.mnistClassNames,
    normalization: .zeroToOne)
  print(data.images.shape)   // [2, 1, 28, 28]
}

func datasetFromValues() throws {
  let values = [Float](repeating: 0.5, count: 4 * 8 * 8 * 3)
  let data = try Dataset(values: values, shape: [4, 8, 8, 3], labels: [0, 1, 0, 1])
  print(data.images.shape, data.classNames)   // [4, 3, 8, 8] ["0", "1"]
}

func datasetFromArrays() throws {
  let data = try Dataset(
    images: NumPyArray(contentsOf: directory.appending(path: "images.npy")),
    labels: NumPyArray(contentsOf: directory.appending(path: "labels.npy")),
    normalization: .zeroToOne)
  // snippet.hide
  print(data.count)
}

func npz() throws {
  let (train, test) = try Dataset.npz(file: URL(fileURLWithPath: "mnist.npz"), normalization: .standardized)
  print(train.images.shape, test.count)   // [60000, 1, 28, 28] 10000
}

func npy() throws {
  let test = try Dataset.npy(
    images: directory.appending(path: "x_test.npy"), labels: directory.appending(path: "y_test.npy"),
    normalization: .zeroToOne)
  // snippet.hide
  print(test.count)
}

func safetensorsDataset() throws {
  let data = try Dataset.safetensors(
    file: URL(fileURLWithPath: "train.safetensors"), imagesName: "x", labelsName: "y")
  // snippet.hide
  print(data.count)
}

// MARK: Datasets/Dataset+ImageFolder.swift

func imageFolder() throws {
  let (train, test) = try Dataset.imageFolder(URL(fileURLWithPath: "/data/pets"), normalization: .zeroToOne)
  print(train.classNames, train.images.shape, test?.count ?? 0)
}

// MARK: Images/ImageDecoder.swift

func imageResize() throws {
  // snippet.hide
  let root = URL(fileURLWithPath: "/data/pets")
  // snippet.show
  let (train, _) = try Dataset.imageFolder(root, resizing: .bilinear(height: 32, width: 32))
  // snippet.hide
  print(train.count)
}

// MARK: Formats/AtomicFile.swift

func atomicFile() throws {
  // snippet.hide
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-history.csv")
  // snippet.show
  try AtomicFile.write(Array("iteration,loss\n".utf8), to: url)
}

// MARK: Formats/Safetensors.swift

func safetensors() throws {
  // snippet.hide
  let (w, b) = (Tensor(ones: [3, 2]), Tensor(zeros: [3]))
  let url = FileManager.default.temporaryDirectory.appending(path: "gtn-snippet.safetensors")
  // snippet.show
  try Safetensors.write([(name: "w", tensor: w), (name: "b", tensor: b)], metadata: ["iteration": "12"], to: url)
  let (tensors, metadata) = try Safetensors.read(from: url)
  // snippet.hide
  print(tensors["w"]!.shape, metadata)
  try FileManager.default.removeItem(at: url)
}

// MARK: Locating/DataLocator.swift

func dataLocator() throws {
  let locator = DataLocator()            // uses GTN_DATA_DIR
  let urls = try locator.locate(["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"], of: .mnist)
  // snippet.hide
  print(urls)
}

// MARK: Readers/CIFAR10Batch.swift

func cifar10Batch() throws {
  // snippet.hide
  let directory = URL(fileURLWithPath: "/data/cifar-10-batches-bin")
  // snippet.show
  let batch = try CIFAR10Batch(contentsOf: directory.appending(path: "test_batch.bin.gz"))
  print(batch.count)   // 10000
}

// MARK: Readers/IDXFile.swift

func idxFile() throws {
  let images = try IDXFile(contentsOf: directory.appending(path: "t10k-images-idx3-ubyte.gz"))
  print(images.dimensions)   // [10000, 28, 28]
}

// snippet.hide
// MARK: - Running the samples that need no files

augmented()
batchAt()
batches()
datasetBatch()
channelStatisticsCIFAR10()
channelStatistics()
try safetensors()
numPyArrayTyped()
try numPyArrayDecoding()
try numPyArchiveEncode()
imageLayout()
channelStatisticsOfValues()
try datasetFromPixels()
try datasetFromValues()
