// What a checkpoint holds, read from its safetensors header and metadata
// alone (no trainer is built): for `gtn info`.

import Foundation
import GTNCore
import GTNData

/// A checkpoint's contents: the run it records (iteration, dataset,
/// options, configuration, components) and its tensors' names and shapes.
public struct CheckpointInfo {
  /// One tensor of the checkpoint.
  public struct TensorEntry: Equatable, Sendable {
    /// Its name (`generator.0.weight`, `adam.m.curriculum.inputs`, …).
    public var name: String
    /// Its shape.
    public var shape: [Int]
    /// Its element type (`float32`, …).
    public var scalarType: String
  }

  /// The checkpoint file.
  public var file: String
  /// Its metadata entries, by key (`gtn.iteration`, …).
  public var metadata: [String: String]
  /// Its tensors, by name.
  public var tensors: [TensorEntry]

  /// Reads the checkpoint at `url`.
  ///
  /// - Throws: `DataError` naming the file when it is missing or not a
  ///   safetensors file; ``ExampleError`` when it records no GTN run.
  public init(contentsOf url: URL) throws {
    let file = try SafetensorsFile(contentsOf: url)
    guard file.metadata["gtn.format"] != nil || file.metadata["gtn.iteration"] != nil else {
      throw ExampleError(message: "\(url.path): a safetensors file, but not a GTN checkpoint (no gtn.format or gtn.iteration metadata)")
    }
    self.file = url.path
    self.metadata = file.metadata
    self.tensors = file.arrays.keys.sorted().map { name in
      let array = file.arrays[name]!
      return TensorEntry(name: name, shape: array.shape, scalarType: array.scalarType.map { "\($0)" } ?? array.descriptor)
    }
  }

  /// The completed outer iterations.
  public var iteration: Int? { metadata["gtn.iteration"].flatMap(Int.init) }

  /// The meta-parameters (tensors other than the outer optimiser's moments).
  public var metaParameters: [TensorEntry] { tensors.filter { !$0.name.hasPrefix("adam.") } }

  /// The options the run recorded, if it was an example's.
  public var options: ExampleOptions? {
    metadata["gtn.example_options"].flatMap { try? JSONDecoder().decode(ExampleOptions.self, from: Data($0.utf8)) }
  }

  /// The class names the run recorded, if any.
  public var classNames: [String]? {
    metadata["gtn.class_names"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
  }

  /// The pixel scaling the run recorded, if any.
  public var normalization: CheckpointNormalization? {
    metadata["gtn.normalization"].flatMap { try? JSONDecoder().decode(CheckpointNormalization.self, from: Data($0.utf8)) }
  }

  /// The bundled components, if recorded.
  public var components: ComponentDescriptions? {
    metadata["gtn.components"].flatMap { try? JSONDecoder().decode(ComponentDescriptions.self, from: Data($0.utf8)) }
  }

  /// The curriculum's step count T and batch size B, if recorded.
  public var curriculumSize: (steps: Int, batchSize: Int)? {
    switch components?.curriculum {
    case .learned(let c): (c.stepCount, c.batchSize)
    case .random(let c): (c.stepCount, c.batchSize)
    case .shuffled(let c): (c.stepCount, c.batchSize)
    case .pixels(let c): (c.stepCount, c.batchSize)
    case nil: options.map { ($0.innerSteps, $0.batchSize) }
    }
  }

  /// The report as text, one fact per line, then one line per tensor.
  public var text: String {
    var lines = ["checkpoint: \(file)"]
    if let iteration { lines.append("iteration: \(iteration)") }
    if let format = metadata["gtn.format"] { lines.append("format: \(format)") }
    if let dataset = metadata["gtn.dataset"] {
      let classes = classNames.map { " (\($0.count) classes: \($0.joined(separator: ", ")))" } ?? ""
      lines.append("dataset: \(dataset)\(classes)")
    }
    if let options {
      lines.append("source: --dataset \(options.dataset)")
      lines.append(
        "run: learner \(options.learner), generator \(options.generator.rawValue), curriculum \(options.curriculum.rawValue), "
          + "T=\(options.innerSteps), B=\(options.batchSize), outer iterations \(options.outerIterations), seed \(options.seed)")
    } else if let size = curriculumSize {
      lines.append("curriculum: T=\(size.steps), B=\(size.batchSize)")
    }
    if let normalization {
      let format = { (values: [Double]) in values.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
      lines.append(
        "normalization: \(normalization.name) (pixels 0…255 to \(normalization.range.map { String($0) }.joined(separator: "…"))); "
          + "training pixel mean \(format(normalization.trainingPixelMean)), std \(format(normalization.trainingPixelStandardDeviation))")
    }
    if let types = metadata["gtn.component_types"] { lines.append("components: \(types)") }
    lines.append("components bundled: \(metadata["gtn.components"] == nil ? "no (restore with the components in code)" : "yes (gtn sample and gtn evaluate can rebuild the trainer)")")
    if let configuration = metadata["gtn.configuration"] { lines.append("configuration: \(configuration)") }
    if let command = metadata["gtn.command"] { lines.append("command: \(command)") }
    let values = metaParameters.reduce(0) { $0 + $1.shape.reduce(1, *) }
    lines.append("tensors: \(tensors.count) (\(metaParameters.count) meta-parameters of \(values) values, the rest Adam moments)")
    let width = tensors.map(\.name.count).max() ?? 0
    for tensor in tensors {
      lines.append("  \(tensor.name.paddedWithSpaces(to: width))  \(tensor.scalarType) \(tensor.shape)")
    }
    return lines.joined(separator: "\n")
  }

  /// The report as a JSON object: `file`, `iteration`, `format`, `dataset`,
  /// `class_names`, `options`, `configuration`, `components`,
  /// `component_types`, `normalization`, `command`, `steps`, `batch_size`,
  /// and `tensors` (name, shape, dtype); keys that the checkpoint does not
  /// record are left out.
  public func jsonData() throws -> Data {
    func object(_ key: String) -> Any? {
      metadata[key].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) }
    }
    var json: [String: Any] = [
      "file": file,
      "tensors": tensors.map { ["name": $0.name, "shape": $0.shape, "dtype": $0.scalarType] as [String: Any] },
      "meta_parameter_count": metaParameters.reduce(0) { $0 + $1.shape.reduce(1, *) },
    ]
    json["iteration"] = iteration
    json["format"] = metadata["gtn.format"]
    json["dataset"] = metadata["gtn.dataset"]
    json["command"] = metadata["gtn.command"]
    json["component_types"] = metadata["gtn.component_types"]
    json["class_names"] = classNames
    json["options"] = object("gtn.example_options")
    json["configuration"] = object("gtn.configuration")
    json["components"] = object("gtn.components")
    json["normalization"] = object("gtn.normalization")
    json["steps"] = curriculumSize?.steps
    json["batch_size"] = curriculumSize?.batchSize
    return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
  }
}
