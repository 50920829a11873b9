import GTNCore
import Testing

struct RealDataBaselineTests {
  /// Two well-separated Gaussian blobs in 16 dimensions, as `[N, 1, 4, 4]`.
  func blobs(count: Int, seed: UInt64) -> (images: Tensor, labels: [Int]) {
    var rng = SplitMix64(seed: seed)
    var images = Tensor(randomNormal: [count, 1, 4, 4], using: &rng)
    let labels = (0..<count).map { $0 % 2 }
    images.withUnsafeMutableBufferPointer { x in
      for i in 0..<count { for j in 0..<16 { x[i * 16 + j] += labels[i] == 0 ? -1 : 1 } }
    }
    return (images, labels)
  }

  @Test("Tuning per step count measures every k and picks, for each, a learning rate that learns")
  func tunesEachStepCount() {
    let train = blobs(count: 200, seed: 1)
    let validation = blobs(count: 100, seed: 2)
    let test = blobs(count: 100, seed: 3)
    let result = RealDataBaseline.tunedPerStepCount(
      learner: Sequential.mlpLearner(inputSize: 16, hiddenSize: 8, classCount: 2),
      trainImages: train.images, trainLabels: train.labels,
      validationImages: validation.images, validationLabels: validation.labels,
      testImages: test.images, testLabels: test.labels,
      batchSize: 16, stepCounts: [1, 10], learningRates: [1e-5, 0.1], momentum: 0.9, classCount: 2, seeds: [1, 2])
    #expect(Set(result.accuracy.keys) == [1, 10] && Set(result.learningRate.keys) == [1, 10])
    #expect(result.validationAccuracy[10]?.count == 2)
    // 1e-5 cannot move the learner in 10 steps; 0.1 separates the blobs.
    #expect(result.learningRate[10] == 0.1)
    #expect(result.accuracy[10]!.mean > 0.95)
    #expect(result.accuracy[10]!.count == 2)
  }

  @Test("Tuning once picks the learning rate that is best at the largest step count")
  func tunesForTheLargestStepCount() {
    let train = blobs(count: 200, seed: 1)
    let validation = blobs(count: 100, seed: 2)
    let test = blobs(count: 100, seed: 3)
    let result = RealDataBaseline.tuned(
      learner: Sequential.mlpLearner(inputSize: 16, hiddenSize: 8, classCount: 2),
      trainImages: train.images, trainLabels: train.labels,
      validationImages: validation.images, validationLabels: validation.labels,
      testImages: test.images, testLabels: test.labels,
      batchSize: 16, stepCounts: [1, 10], learningRates: [1e-5, 0.1], momentum: 0.9, classCount: 2, seeds: [1, 2])
    #expect(result.learningRate == 0.1)
    #expect(Set(result.accuracy.keys) == [1, 10])
    #expect(result.accuracy[10]!.mean > 0.95)
  }
}
