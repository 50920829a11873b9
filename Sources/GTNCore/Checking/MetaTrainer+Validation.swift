extension MetaTrainer {
  /// Names a component's parameters, checking the component's promises:
  /// as many tensors as declared, one unique name for each.
  static func named(_ tensors: [Tensor], names: [String], declared: Int, component: String) throws -> NamedTensors {
    guard tensors.count == declared else {
      throw MetaTrainingError.incompatibleComponents(
        "\(component) made \(tensors.count) parameter tensors in makeParameters(using:) but declares parameterCount = \(declared)")
    }
    guard names.count == declared, Set(names).count == names.count else {
      throw MetaTrainingError.incompatibleComponents(
        "\(component) declares \(declared) parameters but names them \(names) (one unique name per parameter)")
    }
    return NamedTensors(names: names, values: tensors)
  }

  /// Follows the curriculum's first batch through the generator and every
  /// learner by shape, and checks the learners' parameter counts.
  static func checkCompatibility(
    generator: any Generator, curriculum: any Curriculum, learners: [any Learner], metaParameters: MetaParameters
  ) throws {
    guard !learners.isEmpty else { throw MetaTrainingError.incompatibleComponents("no learner given (at least one is needed)") }
    guard curriculum.stepCount > 0, curriculum.batchSize > 0, curriculum.classCount > 1 else {
      throw MetaTrainingError.incompatibleComponents(
        "the curriculum \(type(of: curriculum)) has \(curriculum.stepCount) steps of \(curriculum.batchSize) samples and \(curriculum.classCount) classes (need ≥ 1, ≥ 1, ≥ 2)")
    }
    for (i, learner) in learners.enumerated() {
      var rng = SplitMix64(seed: 0)
      let made = learner.makeParameters(using: &rng).count
      let name = learners.count == 1 ? "the learner" : "learner \(i)"
      guard made == learner.parameterCount else {
        throw MetaTrainingError.incompatibleComponents(
          "\(name) (\(type(of: learner))) made \(made) parameter tensors in makeParameters(using:) but declares parameterCount = \(learner.parameterCount)")
      }
      guard made > 0 else { throw MetaTrainingError.incompatibleComponents("\(name) (\(type(of: learner))) has no parameters to train") }
    }
    let batch = withoutGradientRecording {
      curriculum.batch(at: 0, parameters: metaParameters.curriculum.values.map { Variable($0) }[...], seed: 0)
    }
    let (B, K) = (curriculum.batchSize, curriculum.classCount)
    guard batch.targets.shape == [B, K], batch.labels.count == B, batch.labels.allSatisfy({ (0..<K).contains($0) }) else {
      throw MetaTrainingError.incompatibleComponents(
        "the curriculum \(type(of: curriculum)) made targets of shape \(batch.targets.shape) and \(batch.labels.count) labels; expected [\(B), \(K)] and \(B) labels in 0..<\(K)")
    }
    let images: [Int]
    do {
      guard let shape = try generator.outputShape(forInputShape: batch.inputs.shape, targetShape: batch.targets.shape) else { return }
      images = shape
    } catch let error as LayerShapeError {
      throw MetaTrainingError.incompatibleComponents(
        "the generator \(type(of: generator)) cannot take the curriculum's inputs \(batch.inputs.shape) and targets \(batch.targets.shape): \(error)")
    }
    for (i, learner) in learners.enumerated() {
      let name = learners.count == 1 ? "the learner" : "learner \(i)"
      do {
        guard let logits = try learner.outputShape(forInputShape: images) else { continue }
        guard logits == [B, K] else {
          throw MetaTrainingError.incompatibleComponents(
            "\(name) maps the generator's images \(images) to \(logits); expected logits [\(B), \(K)]")
        }
      } catch let error as LayerShapeError {
        throw MetaTrainingError.incompatibleComponents(
          "\(name) cannot take the generator's images of shape \(images): \(error)")
      }
    }
  }

  /// Checks labelled images before they are used: as many labels as images,
  /// at least one, labels in range, and a shape every learner can take.
  func checkLabelledImages(_ images: Tensor, _ labels: [Int], name: String, learners: [any Learner]? = nil) throws {
    let K = curriculum.classCount
    guard images.rank >= 2, images.shape[0] == labels.count, !labels.isEmpty else {
      throw MetaTrainingError.invalidArgument(
        name: name, reason: "\(images.shape.first ?? 0) images (shape \(images.shape)) for \(labels.count) labels; expected the same number, at least one")
    }
    if let bad = labels.first(where: { !(0..<K).contains($0) }) {
      throw MetaTrainingError.invalidArgument(name: name, reason: "label \(bad) is outside 0..<\(K)")
    }
    for learner in learners ?? self.learners {
      do {
        if let logits = try learner.outputShape(forInputShape: images.shape), logits != [labels.count, K] {
          throw MetaTrainingError.invalidArgument(name: name, reason: "the learner maps images \(images.shape) to \(logits), expected [\(labels.count), \(K)]")
        }
      } catch let error as LayerShapeError {
        throw MetaTrainingError.invalidArgument(name: name, reason: "images of shape \(images.shape) do not fit the learner: \(error)")
      }
    }
  }
}
