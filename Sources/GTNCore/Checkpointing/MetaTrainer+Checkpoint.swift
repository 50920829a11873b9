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
    info["gtn.components"] = componentSummary
    try Safetensors.write(tensors, metadata: info, to: url)
  }

  /// The component types, one per line: what a checkpoint was made with.
  var componentSummary: String {
    (["generator: \(type(of: generator))", "curriculum: \(type(of: curriculum))", "optimizer: \(type(of: optimizer))"]
      + learners.map { "learner: \(type(of: $0))" }).joined(separator: "\n")
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
    func fail(_ reason: String) -> CheckpointError { CheckpointError(file: url.path, reason: reason) }
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
          throw fail("has no tensor '\(name)' (this trainer's \(componentSummary.replacingOccurrences(of: "\n", with: ", ")) needs it; the file has \(found)…)")
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
    return metadata
  }
}
