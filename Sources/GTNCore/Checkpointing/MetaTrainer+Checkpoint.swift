import Foundation

extension MetaTrainer {
  /// Saves the whole run state — meta-parameters, Adam moments, iteration,
  /// random stream — as one safetensors file, atomically.
  ///
  /// Tensors are named `generator.i`, `curriculum.i`, `optimizer.i`,
  /// `adam.m.i`, `adam.v.i`; the iteration, the random state and the
  /// configuration go in the header's metadata together with `metadata`.
  ///
  /// - Parameters:
  ///   - url: The checkpoint file; replaced atomically.
  ///   - metadata: Extra strings to store (e.g. the command line).
  public func saveCheckpoint(to url: URL, metadata: [String: String] = [:]) throws {
    var tensors: [(name: String, tensor: Tensor)] = []
    for (i, t) in state.generatorParameters.enumerated() { tensors.append(("generator.\(i)", t)) }
    for (i, t) in state.curriculumParameters.enumerated() { tensors.append(("curriculum.\(i)", t)) }
    for (i, t) in state.optimizerParameters.enumerated() { tensors.append(("optimizer.\(i)", t)) }
    for (i, t) in state.firstMoments.enumerated() { tensors.append(("adam.m.\(i)", t)) }
    for (i, t) in state.secondMoments.enumerated() { tensors.append(("adam.v.\(i)", t)) }
    var info = metadata
    info["gtn.format"] = "1"
    info["gtn.iteration"] = String(state.iteration)
    info["gtn.random_state"] = String(state.generator.state)
    info["gtn.configuration"] = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
    try Safetensors.write(tensors, metadata: info, to: url)
  }

  /// Restores the run state from a checkpoint written by
  /// ``saveCheckpoint(to:metadata:)``.
  ///
  /// - Throws: ``CheckpointError`` when the file is unreadable or does not
  ///   match this trainer's generator, curriculum and optimiser (names and
  ///   shapes are checked before anything is changed).
  /// - Returns: The checkpoint's metadata.
  @discardableResult
  public mutating func restoreCheckpoint(from url: URL) throws -> [String: String] {
    let (tensors, metadata) = try Safetensors.read(from: url)
    func fail(_ reason: String) -> CheckpointError { CheckpointError(file: url.path, reason: reason) }
    func load(_ prefix: String, like reference: [Tensor]) throws -> [Tensor] {
      try reference.enumerated().map { i, expected in
        guard let t = tensors["\(prefix).\(i)"] else { throw fail("has no tensor '\(prefix).\(i)'") }
        guard t.shape == expected.shape else {
          throw fail("tensor '\(prefix).\(i)' has shape \(t.shape); this trainer expects \(expected.shape)")
        }
        return t
      }
    }
    guard metadata["gtn.format"] == "1" else { throw fail("is not a swift-gtn meta-training checkpoint (no gtn.format = 1)") }
    guard let iteration = metadata["gtn.iteration"].flatMap(Int.init), iteration >= 0,
      let random = metadata["gtn.random_state"].flatMap(UInt64.init)
    else { throw fail("lacks a valid gtn.iteration or gtn.random_state") }
    let generator = try load("generator", like: state.generatorParameters)
    let curriculum = try load("curriculum", like: state.curriculumParameters)
    let optimizer = try load("optimizer", like: state.optimizerParameters)
    let all = state.metaParameters
    let m = try load("adam.m", like: all)
    let v = try load("adam.v", like: all)
    state = MetaTrainingState(
      generatorParameters: generator, curriculumParameters: curriculum, optimizerParameters: optimizer,
      firstMoments: m, secondMoments: v, iteration: iteration, generator: SplitMix64(seed: random))
    return metadata
  }
}
