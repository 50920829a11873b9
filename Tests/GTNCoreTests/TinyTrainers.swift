import GTNCore

/// A tiny trainer with two learner architectures (so learners of one
/// iteration can differ in architecture as well as in θ₀): MLP generator,
/// 4×4 images, 3 classes, T = 3 steps of 6 samples, seed 3.
func twoLearnerTrainer(configuration: MetaTrainingConfiguration) -> MetaTrainer {
  let generator = ConditionalGenerator(noiseSize: 3, classCount: 3, network: Sequential(
    Linear(6, 8), Tanh(), Linear(8, 16), Tanh(), Reshape([1, 4, 4])))
  // The components fit by construction.
  return try! MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: 3, batchSize: 6, noiseSize: 3, classCount: 3),
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 3, perStep: true),
    learners: [Sequential(Flatten(), Linear(16, 4), Tanh(), Linear(4, 3)), Sequential(Flatten(), Linear(16, 3))],
    configuration: configuration, seed: 3)
}
