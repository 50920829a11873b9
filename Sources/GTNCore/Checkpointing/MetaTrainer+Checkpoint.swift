import Foundation
import GTNData

extension MetaTrainer {
  /// Saves the whole run state — meta-parameters, the outer optimiser's
  /// moments, iteration, random stream — as one safetensors file,
  /// atomically.
  ///
  /// Tensors are keyed by name: each meta-parameter by its
  /// ``MetaParameters/keys`` entry (`generator.0.weight`,
  /// `curriculum.inputs`, `optimizer.log_learning_rate`, …) and its Adam
  /// moments as `adam.m.<key>` and `adam.v.<key>`. The header's metadata
  /// holds the iteration, the random state, the configuration (JSON), the
  /// component types, and `metadata`.
  ///
  /// - Parameters:
  ///   - url: The checkpoint file; replaced atomically.
  ///   - metadata: Extra strings to store (e.g. the command line).
  public func saveCheckpoint(to url: URL, metadata: [String: String] = [:]) throws {
    let meta = state.metaParameters
    let keys = meta.keys
    var tensors = Array(zip(keys, meta.tensors)).map { (name: $0, tensor: $1) }
    tensors += zip(keys, state.outerOptimizerState.firstMoments).map { (name: "adam.m.\($0)", tensor: $1) }
    tensors += zip(keys, state.outerOptimizerState.secondMoments).map { (name: "adam.v.\($0)", tensor: $1) }
    var info = metadata
    info["gtn.format"] = "2"
    info["gtn.iteration"] = String(state.iteration)
    info["gtn.random_state"] = String(state.rng.state)
    info["gtn.configuration"] = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
    info["gtn.component_types"] = componentSummary
    if let components = ComponentDescriptions(self) {
      info["gtn.components"] = String(decoding: try JSONEncoder().encode(components), as: UTF8.self)
    }
    try Safetensors.write(tensors, metadata: info, to: url)
  }

  /// The component types: what a checkpoint was made with.
  var componentSummary: String {
    (["generator \(type(of: generator))", "curriculum \(type(of: curriculum))", "optimizer \(type(of: optimizer))"]
      + learners.map { "learner \(type(of: $0))" }).joined(separator: ", ")
  }

  /// Rebuilds a trainer from a checkpoint alone: the bundled components and
  /// the configuration recorded in it, then the state.
  ///
  /// ```swift
  /// let trainer = try MetaTrainer(restoringFrom: URL(fileURLWithPath: "gtn-output/checkpoint.safetensors"))
  /// let data = trainer.syntheticData()   // the learned curriculum, as trained
  /// ```
  ///
  /// - Throws: `CheckpointError` when the file is unreadable, records no
  ///   components (a run with custom components: use
  ///   ``init(restoringFrom:generator:curriculum:optimizer:learners:)``), or
  ///   does not match them.
  public init(restoringFrom url: URL) throws {
    let (tensors, metadata) = try Safetensors.read(from: url)
    func fail(_ reason: String) -> CheckpointError { CheckpointError(file: url.path, reason: reason) }
    guard let json = metadata["gtn.components"] else {
      throw fail("records no bundled components (gtn.components); it was written with \(metadata["gtn.component_types"] ?? "components of unknown types"): restore it with MetaTrainer(restoringFrom:generator:curriculum:optimizer:learners:)")
    }
    let components: ComponentDescriptions
    do { components = try JSONDecoder().decode(ComponentDescriptions.self, from: Data(json.utf8)) } catch {
      throw fail("has an unreadable gtn.components entry (\(error))")
    }
    try self.init(
      restoringFrom: url, tensors: tensors, metadata: metadata, generator: components.makeGenerator(),
      curriculum: components.makeCurriculum(), optimizer: components.makeOptimizer(), learners: components.makeLearners())
  }

  /// Rebuilds a trainer from a checkpoint and the given components (for
  /// runs with custom components): the configuration comes from the file.
  ///
  /// - Throws: `CheckpointError` when the file is unreadable or does not
  ///   match the components; ``MetaTrainingError`` when the components do
  ///   not fit together.
  public init(
    restoringFrom url: URL, generator: any Generator, curriculum: any Curriculum, optimizer: any InnerOptimizer,
    learners: [any Learner]
  ) throws {
    let (tensors, metadata) = try Safetensors.read(from: url)
    try self.init(
      restoringFrom: url, tensors: tensors, metadata: metadata, generator: generator, curriculum: curriculum,
      optimizer: optimizer, learners: learners)
  }

  private init(
    restoringFrom url: URL, tensors: [String: Tensor], metadata: [String: String], generator: any Generator,
    curriculum: any Curriculum, optimizer: any InnerOptimizer, learners: [any Learner]
  ) throws {
    guard let json = metadata["gtn.configuration"],
          let configuration = try? JSONDecoder().decode(MetaTrainingConfiguration.self, from: Data(json.utf8)) else {
      throw CheckpointError(file: url.path, reason: "lacks a readable gtn.configuration")
    }
    try self.init(
      generator: generator, curriculum: curriculum, optimizer: optimizer, learners: learners,
      configuration: configuration, seed: 0)
    try restore(tensors: tensors, metadata: metadata, file: url.path)
  }

  /// Restores the run state from a checkpoint written by
  /// ``saveCheckpoint(to:metadata:)``.
  ///
  /// Every tensor is looked up by its name and checked against this
  /// trainer's shape before anything is changed. Checkpoints of the
  /// earlier positional format (`generator.0`, `adam.m.3`, format 1) are
  /// read too.
  ///
  /// - Throws: `CheckpointError` naming the file and, on a mismatch, the
  ///   tensor and both shapes; or when a tensor is not finite.
  /// - Returns: The checkpoint's metadata.
  @discardableResult
  public mutating func restoreCheckpoint(from url: URL) throws -> [String: String] {
    let (tensors, metadata) = try Safetensors.read(from: url)
    try restore(tensors: tensors, metadata: metadata, file: url.path)
    return metadata
  }

  private mutating func restore(tensors: [String: Tensor], metadata: [String: String], file: String) throws {
    func fail(_ reason: String) -> CheckpointError { CheckpointError(file: file, reason: reason) }
    let meta = state.metaParameters
    let keys: [String]
    let momentKeys: (first: [String], second: [String])
    switch metadata["gtn.format"] {
    case "2":
      keys = meta.keys
      momentKeys = (keys.map { "adam.m.\($0)" }, keys.map { "adam.v.\($0)" })
    case "1":
      keys = MetaParameters.Part.allCases.flatMap { part in (0..<meta[part].count).map { "\(part.rawValue).\($0)" } }
      momentKeys = ((0..<keys.count).map { "adam.m.\($0)" }, (0..<keys.count).map { "adam.v.\($0)" })
    default:
      throw fail("is not a swift-gtn meta-training checkpoint (no gtn.format of 1 or 2)")
    }
    guard let iteration = metadata["gtn.iteration"].flatMap(Int.init), iteration >= 0,
      let random = metadata["gtn.random_state"].flatMap(UInt64.init)
    else { throw fail("lacks a valid gtn.iteration or gtn.random_state") }
    func load(_ names: [String]) throws -> [Tensor] {
      try zip(names, meta.tensors).map { name, expected in
        guard let t = tensors[name] else {
          let found = tensors.keys.sorted().prefix(6).joined(separator: ", ")
          throw fail("has no tensor '\(name)' (this trainer's \(componentSummary) need it; the file has \(found)…)")
        }
        guard t.shape == expected.shape else {
          throw fail("tensor '\(name)' has shape \(t.shape); this trainer expects \(expected.shape)")
        }
        guard t.scalars.allSatisfy(\.isFinite) else { throw fail("tensor '\(name)' holds NaN or infinite values") }
        return t
      }
    }
    let values = try load(keys)
    let m = try load(momentKeys.first)
    let v = try load(momentKeys.second)
    state = MetaTrainingState(
      metaParameters: meta.replacingTensors(with: values),
      outerOptimizerState: Adam.State(firstMoments: m, secondMoments: v, stepCount: iteration),
      rng: SplitMix64(seed: random))
  }
}
