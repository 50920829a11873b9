// A trained GTN's synthetic data written for other frameworks: the learned
// curriculum's samples in step order, in one of four file formats, with the
// learned inner-optimiser schedule beside them in schedule.json.

import Foundation
import GTNAutodiff
import GTNData

/// The samples a trained GTN generates, with what is needed to replay its
/// curriculum elsewhere: the per-step learning rates and momenta, the batch
/// size and the step count.
///
/// ```swift
/// let export = try SyntheticDataExport(trainer: trainer, classNames: Dataset.mnistClassNames)
/// let files = try export.write(.npy, to: folder)   // images.npy, labels.npy, schedule.json
/// ```
///
/// The first `T × B` samples are the curriculum's, in step order (sample
/// `t · B + i` is sample `i` of step `t`); with a larger count, a
/// conditional generator adds fresh samples from Gaussian noise, classes in
/// turn (not part of the curriculum). Every file is replaced atomically
/// (`AtomicFile`). NumPy reads the `.npy` files and the `safetensors`
/// package the `.safetensors` file; `schedule.json` holds the learned
/// `learning_rates` and `momenta` for each step.
public struct SyntheticDataExport: Sendable {
  /// A file format for the samples; the raw value is its command-line name.
  public enum Format: String, CaseIterable, Codable, Sendable {
    /// `images.npy` (float32 `N × C × H × W`) and `labels.npy` (int64).
    case npy
    /// `samples.safetensors` with the tensors `images` (F32) and `labels` (I64).
    case safetensors
    /// `DIR/<class>/<index>.png`, 8-bit, as `Dataset.imageFolder` reads.
    case pngFolder = "png-folder"
    /// `train-images-idx3-ubyte` (`idx4` for colour) and
    /// `train-labels-idx1-ubyte`, 8-bit, as MNIST's files.
    case idx
  }

  /// The samples, values in the generator's range, in step order.
  public var samples: Dataset
  /// The `[N, K]` targets when the curriculum's labels are soft (`nil` when
  /// they are one-hot).
  public var softTargets: Tensor?
  /// The inner optimiser's hyper-parameters at each step of one pass.
  public var schedule: [[String: Float]]
  /// The inner optimiser's type name.
  public var optimizerName: String
  /// T: the curriculum's steps.
  public var stepCount: Int
  /// B: samples per step.
  public var batchSize: Int
  /// The values mapped to pixels 0 and 255.
  public var range: ClosedRange<Float>
  /// Samples beyond the curriculum's `T × B`, generated from fresh noise.
  public var freshSampleCount: Int

  /// The samples of `trainer`'s learned curriculum, the first `count` of
  /// them (`nil`: all `T × B`); beyond `T × B`, fresh samples of a
  /// conditional generator drawn with `seed`.
  ///
  /// - Throws: ``SyntheticDataExportError`` when `count` exceeds `T × B`
  ///   and the generator makes no fresh samples.
  /// - Complexity: one generator pass per inner step, and one for the
  ///   fresh samples.
  public init(trainer: MetaTrainer, count: Int? = nil, classNames: [String]? = nil, range: ClosedRange<Float> = -1...1, seed: UInt64 = 0) throws {
    let data = trainer.syntheticData(seed: seed)
    let classCount = data.batches[0].targets.shape.last ?? 0
    var names = classNames ?? (0..<classCount).map(String.init)
    if names.count != classCount { names = (0..<classCount).map(String.init) }
    var samples = data.dataset(classNames: names)
    var targets = Tensor.concatenating(data.batches.map(\.targets), alongAxis: 0)
    let curriculumCount = samples.count
    let wanted = count ?? curriculumCount
    if wanted < curriculumCount {
      samples = samples.subset(0..<wanted)
      targets = targets.slice(alongAxis: 0, 0..<wanted)
    } else if wanted > curriculumCount {
      let fresh = try Self.freshSamples(trainer, count: wanted - curriculumCount, classCount: classCount, seed: seed)
      samples = Dataset(
        images: Tensor.concatenating([samples.images, fresh.images], alongAxis: 0), labels: samples.labels + fresh.labels,
        classNames: names)
      targets = Tensor.concatenating([targets, CurriculumBatch.oneHot(fresh.labels, classCount: classCount)], alongAxis: 0)
    }
    self.samples = samples
    self.softTargets = targets == CurriculumBatch.oneHot(samples.labels, classCount: classCount) ? nil : targets
    self.schedule = data.schedule
    self.optimizerName = "\(type(of: data.optimizer))"
    self.stepCount = data.stepCount
    self.batchSize = data.batches[0].labels.count
    self.range = range
    self.freshSampleCount = Swift.max(0, wanted - curriculumCount)
  }

  /// `count` fresh samples of a conditional generator: Gaussian inputs,
  /// classes 0, 1, … in turn.
  static func freshSamples(_ trainer: MetaTrainer, count: Int, classCount: Int, seed: UInt64) throws -> (images: Tensor, labels: [Int]) {
    guard let generator = trainer.generator as? ConditionalGenerator else {
      let available = trainer.curriculum.stepCount * trainer.curriculum.batchSize
      throw SyntheticDataExportError(
        argument: "count", message: "the curriculum holds \(trainer.curriculum.stepCount) steps of \(trainer.curriculum.batchSize) samples, and "
          + "its generator (\(type(of: trainer.generator))) makes no fresh samples: ask for \(available) or fewer")
    }
    var rng = SplitMix64(seed: seed ^ 0xF2E5_4000)
    let labels = (0..<count).map { $0 % classCount }
    let inputs = Tensor(randomNormal: [count, generator.noiseSize], using: &rng)
    let images = withoutGradientRecording {
      let meta = trainer.state.metaParameters
      let parts = meta.partition(meta.tensors.map { Variable($0) })
      return generator(
        Variable(inputs), targets: Variable(CurriculumBatch.oneHot(labels, classCount: classCount)), parameters: parts.generator
      ).value
    }
    return (images, labels)
  }

  /// Writes the samples in `format` and `schedule.json` into `folder`, each
  /// file atomically; returns the files' paths relative to the folder.
  ///
  /// - Throws: `DataError` naming the file that cannot be written, or
  ///   ``SyntheticDataExportError`` for a format that cannot hold the
  ///   samples (IDX labels beyond 255, PNG images of other than 1 or 3
  ///   channels).
  @discardableResult
  public func write(_ format: Format, to folder: URL) throws -> [String] {
    var files: [String] = []
    func put(_ name: String, _ bytes: [UInt8]) throws {
      let url = folder.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try AtomicFile.write(bytes, to: url)
      files.append(name)
    }
    let labels = NumPyArray(labels: samples.labels)
    switch format {
    case .npy:
      try put("images.npy", NumPyArray(samples.images).encoded())
      try put("labels.npy", labels.encoded())
      if let softTargets { try put("targets.npy", NumPyArray(softTargets).encoded()) }
    case .safetensors:
      var arrays = ["images": NumPyArray(samples.images), "labels": labels]
      if let softTargets { arrays["targets"] = NumPyArray(softTargets) }
      try put("samples.safetensors", SafetensorsFile(arrays: arrays, metadata: ["gtn.schedule": "schedule.json"]).encoded())
    case .pngFolder:
      let channels = samples.imageShape[0]
      guard channels == 1 || channels == 3 else {
        throw SyntheticDataExportError(argument: "format", message: "png-folder: PNG holds 1 or 3 channels, the samples have \(channels)")
      }
      let digits = String(samples.count - 1).count
      for index in 0..<samples.count {
        let image = samples.images.slice(alongAxis: 0, index..<(index + 1))
        let png = try ImageGrid(images: image, rows: 1, columns: 1, range: range, scale: 1, spacing: 0).pngData()
        let number = String(index)
        let name = String(repeating: "0", count: digits - number.count) + number
        try put("\(Self.folderName(samples.classNames[samples.labels[index]], label: samples.labels[index]))/\(name).png", png)
      }
    case .idx:
      guard samples.classNames.count <= 256 else {
        throw SyntheticDataExportError(
          argument: "format", message: "idx: IDX label files hold labels up to 255, the samples have \(samples.classNames.count) classes")
      }
      let rank = samples.imageShape[0] == 1 ? 3 : 4
      try put("train-images-idx\(rank)-ubyte", IDXFile(images: samples.images, range: range).encoded())
      try put("train-labels-idx1-ubyte", IDXFile(labels: samples.labels).encoded())
    }
    try put("schedule.json", scheduleJSON(format: format, files: files))
    return files
  }

  /// A class's folder name: its name, unless that is not a plain file name.
  static func folderName(_ name: String, label: Int) -> String {
    name.isEmpty || name == "." || name == ".." || name.hasPrefix(".") || name.contains("/") ? String(label) : name
  }

  /// `schedule.json`: the replay recipe and the files beside it.
  func scheduleJSON(format: Format, files: [String]) throws -> [UInt8] {
    var keys = Set<String>()
    for step in schedule { keys.formUnion(step.keys) }
    var json: [String: Any] = [
      "format": format.rawValue,
      "files": format == .pngFolder ? ["<class>/<index>.png"] : files,
      "sample_count": samples.count,
      "curriculum_sample_count": samples.count - freshSampleCount,
      "fresh_sample_count": freshSampleCount,
      "step_count": stepCount,
      "batch_size": batchSize,
      "class_names": samples.classNames,
      "image_shape": samples.imageShape,
      "value_range": [Double(range.lowerBound), Double(range.upperBound)],
      "order": "sample t*batch_size+i is sample i of inner step t; train on the steps in order, one batch per step",
      "optimizer": optimizerName,
      "soft_labels": softTargets != nil,
      "schedule": schedule.map { step in step.mapValues(Double.init) },
    ]
    if keys.contains("learning_rate") { json["learning_rates"] = schedule.map { Double($0["learning_rate"] ?? .nan) } }
    if keys.contains("momentum") { json["momenta"] = schedule.map { Double($0["momentum"] ?? .nan) } }
    return Array(try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])) + [10]
  }
}
