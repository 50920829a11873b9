import Foundation
import GTNCore
import GTNData
import Testing

private func temporaryURL(_ name: String) -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("gtn-\(name)-\(UInt64.random(in: 0...UInt64.max)).safetensors")
}

/// The bundled MNIST components at a small size (MLP and convolutional).
private func trainers() throws -> [MetaTrainer] {
  let mlp = try MetaTrainer(
    generator: ConditionalGenerator.mlp(noiseSize: 8, hiddenSize: 16),
    curriculum: LearnedCurriculum(stepCount: 2, batchSize: 10, noiseSize: 8, learnsSoftLabels: true),
    optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.5, stepCount: 2, perStep: true),
    learners: [Sequential.mlpLearner(hiddenSize: 8)],
    configuration: MetaTrainingConfiguration(iterations: 7, learningRate: 0.003, intermediateLossInterval: 1), seed: 4)
  let conv = try MetaTrainer(
    generator: ConditionalGenerator.smallConv(noiseSize: 8),
    curriculum: LearnedCurriculum(stepCount: 2, batchSize: 10, noiseSize: 8),
    optimizer: InnerAdam(learningRate: 0.01),
    learners: [Sequential.smallConvLearner(batchNorm: true, weightNormalized: true)],
    configuration: MetaTrainingConfiguration(iterations: 3), seed: 5)
  return [mlp, conv]
}

@Test func aCheckpointAloneRebuildsTheTrainerAndItsSyntheticData() throws {
  var rng = SplitMix64(seed: 1)
  let x = Tensor(randomUniform: [6, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
  for var trainer in try trainers() {
    _ = try trainer.step(realImages: x, realLabels: [0, 1, 2, 3, 4, 5])
    let url = temporaryURL("artifact")
    defer { try? FileManager.default.removeItem(at: url) }
    try trainer.saveCheckpoint(to: url)
    let restored = try MetaTrainer(restoringFrom: url)
    #expect(restored.state == trainer.state)
    #expect(restored.configuration == trainer.configuration)
    #expect(restored.state.metaParameters.keys == trainer.state.metaParameters.keys)
    let a = trainer.syntheticBatches(), b = restored.syntheticBatches()
    #expect(a.count == b.count && zip(a, b).allSatisfy { $0.images == $1.images && $0.targets == $1.targets })
  }
}

@Test func checkpointKeysAreNamesAndTheComponentsAreRecorded() throws {
  let trainer = try trainers()[0]
  let url = temporaryURL("keys")
  defer { try? FileManager.default.removeItem(at: url) }
  try trainer.saveCheckpoint(to: url)
  let (tensors, metadata) = try Safetensors.read(from: url)
  for key in ["generator.0.weight", "curriculum.inputs", "curriculum.label_logits", "optimizer.log_learning_rate",
              "adam.m.generator.0.weight", "adam.v.optimizer.momentum_logit"] {
    #expect(tensors[key] != nil, "\(key)")
  }
  #expect(metadata["gtn.format"] == "2")
  #expect(metadata["gtn.components"]?.contains("learned") == true)
}

/// A generator the library does not know.
private struct OffsetGenerator: Generator {
  var parameterCount: Int { 1 }
  var parameterNames: [String] { ["offset"] }
  func makeParameters(using rng: inout some RandomNumberGenerator) -> [Tensor] { [Tensor(zeros: [1, 1, 4, 4])] }
  func callAsFunction(_ inputs: Variable, targets: Variable, parameters: ArraySlice<Variable>) -> Variable {
    inputs.reshaped(to: [inputs.shape[0], 1, 4, 4]) + parameters[parameters.startIndex]
  }
}

@Test func customComponentsRestoreThroughTheInitializerThatTakesThem() throws {
  let curriculum = LearnedCurriculum(stepCount: 2, batchSize: 3, noiseSize: 16, classCount: 3)
  let learners: [any Learner] = [Sequential(Flatten(), Linear(16, 3))]
  var trainer = try MetaTrainer(
    generator: OffsetGenerator(), curriculum: curriculum, optimizer: SGDWithMomentum(), learners: learners,
    configuration: MetaTrainingConfiguration(iterations: 2), seed: 1)
  var rng = SplitMix64(seed: 2)
  _ = try trainer.step(realImages: Tensor(randomNormal: [3, 1, 4, 4], using: &rng), realLabels: [0, 1, 2])
  let url = temporaryURL("custom")
  defer { try? FileManager.default.removeItem(at: url) }
  try trainer.saveCheckpoint(to: url)
  do {
    _ = try MetaTrainer(restoringFrom: url)
    Issue.record("a checkpoint of custom components restored without them")
  } catch let error as CheckpointError {
    #expect(error.reason.contains("OffsetGenerator"), "\(error)")
  }
  let restored = try MetaTrainer(
    restoringFrom: url, generator: OffsetGenerator(), curriculum: curriculum, optimizer: SGDWithMomentum(), learners: learners)
  #expect(restored.state == trainer.state)
  #expect(restored.state.metaParameters.generator.names == ["offset"])
}
