// --dataset's file sources: parsing and round trips through options.json,
// and loading tiny NPZ, safetensors and image-folder datasets written here.

import Foundation
import GTNData
import Testing
import _GTNExamplesSupport

/// Tiny datasets in the file formats `--dataset` reads, written into a
/// temporary folder: 3 classes of 8×8 grey images, each class a bright band
/// in its own rows, so they are easy to learn.
struct TinyFiles {
  static let classCount = 3
  static let side = 8

  /// `count` images (`[count, 8, 8]` bytes) and their labels `i % 3`.
  static func images(_ count: Int, seed: Int) -> (pixels: [UInt8], labels: [Int]) {
    var pixels: [UInt8] = []
    var labels: [Int] = []
    for i in 0..<count {
      let label = i % classCount
      labels.append(label)
      for row in 0..<side {
        for column in 0..<side {
          let noise = UInt8(truncatingIfNeeded: ((i &* 31 &+ row &* 7 &+ column &* 3 &+ seed) &* 2_654_435_761) >> 11) % 60
          pixels.append(row / 3 == label ? 180 + noise : noise)
        }
      }
    }
    return (pixels, labels)
  }

  /// A Keras-layout archive: `x_train` (uint8 `[train, 8, 8]`), `y_train`
  /// (int64), `x_test`, `y_test`.
  static func writeNPZ(to url: URL, train: Int = 60, test: Int = 15) throws {
    let (x, y) = images(train, seed: 1)
    let (xt, yt) = images(test, seed: 2)
    let bytes = try NumPyArchive.encode([
      ("x_train", NumPyArray(bytes: x, shape: [train, side, side])), ("y_train", NumPyArray(labels: y)),
      ("x_test", NumPyArray(bytes: xt, shape: [test, side, side])), ("y_test", NumPyArray(labels: yt)),
    ])
    try Data(bytes).write(to: url)
  }

  /// A safetensors file with `images` (U8 `[count, 8, 8]`) and `labels`
  /// (I64) under the given names.
  static func writeSafetensors(to url: URL, count: Int = 60, imagesName: String = "images", labelsName: String = "labels") throws {
    let (x, y) = images(count, seed: 3)
    let file = SafetensorsFile(arrays: [imagesName: NumPyArray(bytes: x, shape: [count, side, side]), labelsName: NumPyArray(labels: y)])
    try Data(try file.encoded()).write(to: url)
  }

  /// An image folder `root/train/<class>/<i>.png` and `root/test/…` (or
  /// only `root/<class>/…` without `test`), classes named `a`, `b`, `c`.
  static func writeImageFolder(to root: URL, train: Int = 45, test: Int? = 12) throws {
    func write(_ count: Int, seed: Int, into folder: URL) throws {
      let (pixels, labels) = images(count, seed: seed)
      for i in 0..<count {
        let image = Tensor(shape: [1, 1, side, side], scalars: pixels[(i * side * side)..<((i + 1) * side * side)].map { Float($0) / 255 })
        let directory = folder.appendingPathComponent(["a", "b", "c"][labels[i]])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let png = try ImageGrid(images: image, rows: 1, columns: 1, range: 0...1, scale: 1, spacing: 0).pngData()
        try Data(png).write(to: directory.appendingPathComponent("\(i).png"))
      }
    }
    if let test {
      try write(train, seed: 4, into: root.appendingPathComponent("train"))
      try write(test, seed: 5, into: root.appendingPathComponent("test"))
    } else {
      try write(train, seed: 4, into: root)
    }
  }
}

/// A fresh temporary folder, removed by the caller.
func temporaryFolder(_ name: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

@Suite struct DatasetSourceTests {
  @Test(arguments: [
    ("mnist", DatasetSource.mnist), ("fashion-mnist", .fashionMNIST), ("cifar10", .cifar10), ("npz:data/digits.npz", .npz("data/digits.npz")),
    ("safetensors:x.safetensors", .safetensors("x.safetensors")), ("folder:/tmp/pets", .folder("/tmp/pets")), ("npz:a:b", .npz("a:b")),
  ])
  func parsesAndSpellsEverySource(text: String, source: DatasetSource) {
    #expect(DatasetSource(argument: text) == source)
    #expect(source.argumentDescription == text)
  }

  @Test(arguments: ["", "npz:", "folder:", "tar:x.tar", "MNIST", "cifar100"])
  func rejectsWhatIsNoSource(text: String) {
    #expect(DatasetSource(argument: text) == nil)
  }

  @Test func fileSourcesRoundTripThroughOptionsJSON() throws {
    let defaults = ExampleOptions(dataset: .mnist)
    let parsed = try #require(try ExampleOptions.parse(
      ["--dataset", "safetensors:d.safetensors", "--images-tensor", "x", "--labels-tensor", "y"], defaults: defaults,
      datasets: DatasetKind.allCases, acceptsFiles: true))
    #expect(parsed.dataset == .safetensors("d.safetensors") && parsed.imagesTensor == "x" && parsed.labelsTensor == "y")
    let json = try JSONEncoder().encode(parsed)
    #expect(String(decoding: json, as: UTF8.self).contains("\"dataset\":\"safetensors:d.safetensors\""))
    let decoded = try JSONDecoder().decode(ExampleOptions.self, from: json)
    #expect(decoded.dataset == parsed.dataset && decoded.imagesTensor == "x" && decoded.differences(fromRecorded: parsed).isEmpty)
    // A resume with another source is a difference, named by its flag.
    var other = decoded
    other.dataset = .npz("d.npz")
    #expect(other.differences(fromRecorded: parsed).map(\.flag) == ["--dataset"])
    // The arguments reproduce the options.
    let again = try ExampleOptions.parse(parsed.commandLineArguments, defaults: defaults, datasets: DatasetKind.allCases, acceptsFiles: true)
    #expect(again?.dataset == parsed.dataset && again?.imagesTensor == "x")
  }

  @Test func examplesWithoutFileSourcesRefuseThem() {
    #expect(throws: UsageError.self) {
      try ExampleOptions.parse(["--dataset", "npz:x.npz"], defaults: ExampleOptions(dataset: .mnist), datasets: [.mnist, .fashionMNIST])
    }
    #expect(throws: UsageError.self) {
      try ExampleOptions.parse(["--images-tensor", "x"], defaults: ExampleOptions(dataset: .mnist), datasets: [.mnist])
    }
  }

  @Test func tensorNamesNeedASafetensorsSource() {
    #expect(throws: UsageError(message: "--labels-tensor names a tensor of a safetensors file, but --dataset is npz:x.npz (give --dataset safetensors:FILE)")) {
      try ExampleOptions.parse(
        ["--dataset", "npz:x.npz", "--labels-tensor", "y"], defaults: ExampleOptions(dataset: .mnist), datasets: DatasetKind.allCases,
        acceptsFiles: true)
    }
  }

  @Test func dataDirectoryIsForBundledDatasets() {
    #expect(throws: UsageError(message: "--data-dir /d locates the bundled datasets, but --dataset folder:pics names its own file or folder")) {
      try ExampleOptions.parse(
        ["--dataset", "folder:pics", "--data-dir", "/d"], defaults: ExampleOptions(dataset: .mnist), datasets: DatasetKind.allCases,
        acceptsFiles: true)
    }
  }

  @Test func printedArgumentsNameTensorsOnlyForSafetensors() throws {
    var options = ExampleOptions(dataset: .npz("a.npz"))
    #expect(options.commandLineArguments.starts(with: ["--dataset", "npz:a.npz", "--inner-steps"]))
    options.dataset = .safetensors("a.safetensors")
    #expect(options.commandLineArguments.starts(with: ["--dataset", "safetensors:a.safetensors", "--images-tensor", "images"]))
  }

  @Test func loadsAKerasArchive() throws {
    let folder = try temporaryFolder("gtn-npz")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("tiny.npz")
    try TinyFiles.writeNPZ(to: file)
    let data = try ExampleData.load(.npz(file.path), directory: nil, validationCount: 12)
    #expect(data.name == "tiny.npz" && data.training.count == 48 && data.validation.count == 12 && data.test.count == 15)
    #expect(data.training.imageShape == [1, 8, 8] && data.training.classNames == ["0", "1", "2"])
    // The validation split is drawn at random: every class is in it.
    #expect(Set(data.validation.labels) == [0, 1, 2])
    // Pixels are scaled to [-1, 1]; the statistics undo the scaling.
    let values = data.training.images.scalars
    #expect(values.min()! >= -1 && values.max()! <= 1)
    let statistics = data.trainingPixelStatistics
    #expect(statistics.mean.count == 1 && statistics.mean[0] > 40 && statistics.mean[0] < 120)
    // Without a count, a sixth is held out.
    #expect(try ExampleData.load(.npz(file.path), directory: nil).validation.count == 10)
  }

  @Test func loadsSafetensorsWithNamedTensorsAndHoldsOutATestSplit() throws {
    let folder = try temporaryFolder("gtn-safetensors")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("tiny.safetensors")
    try TinyFiles.writeSafetensors(to: file, imagesName: "x", labelsName: "y")
    let data = try ExampleData.load(.safetensors(file.path), directory: nil, validationCount: 5, imagesTensor: "x", labelsTensor: "y")
    #expect(data.test.count == 10 && data.validation.count == 5 && data.training.count == 45)
    let again = try ExampleData.load(.safetensors(file.path), directory: nil, validationCount: 5, imagesTensor: "x", labelsTensor: "y")
    #expect(again.test == data.test && again.validation == data.validation)
    #expect {
      try ExampleData.load(.safetensors(file.path), directory: nil, validationCount: 5)
    } throws: { error in
      "\(error)".contains("tiny.safetensors") && "\(error)".contains("'images'")
    }
  }

  @Test func loadsImageFolders() throws {
    let folder = try temporaryFolder("gtn-folder")
    defer { try? FileManager.default.removeItem(at: folder) }
    let split = folder.appendingPathComponent("split")
    try TinyFiles.writeImageFolder(to: split)
    let data = try ExampleData.load(.folder(split.path), directory: nil, validationCount: 9)
    #expect(data.training.classNames == ["a", "b", "c"] && data.test.count == 12 && data.training.count == 36)
    #expect(data.testSource.hasSuffix("split/test"))
    let flat = folder.appendingPathComponent("flat")
    try TinyFiles.writeImageFolder(to: flat, train: 30, test: nil)
    let heldOut = try ExampleData.load(.folder(flat.path), directory: nil, validationCount: 5)
    #expect(heldOut.test.count == 5 && heldOut.training.count == 20 && Set(heldOut.test.labels).count > 1)
  }

  @Test func badFilesAreNamed() throws {
    let folder = try temporaryFolder("gtn-bad")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("broken.npz")
    try Data("not an archive".utf8).write(to: file)
    #expect { try ExampleData.load(.npz(file.path), directory: nil) } throws: { error in
      error is DataError && "\(error)".contains("broken.npz")
    }
    let missing = folder.appendingPathComponent("missing")
    #expect { try ExampleData.load(.folder(missing.path), directory: nil) } throws: { error in
      error is DataError && "\(error)".contains(missing.path)
    }
  }
}
