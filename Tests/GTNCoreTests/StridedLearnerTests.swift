import GTNCore
import Testing

struct StridedLearnerTests {
  @Test("The strided learner maps any image size to class logits and halves the side twice")
  func shapes() {
    let learner = Sequential.stridedConvLearner(inputChannels: 3, classCount: 10, widths: (2, 4, 8))
    var rng = SplitMix64(seed: 1)
    let theta = learner.makeParameters(using: &rng).map { Variable($0) }
    for side in [32, 28, 9] {
      let x = Variable(Tensor(randomNormal: [2, 3, side, side], using: &rng))
      #expect(learner(x, parameters: theta[...]).shape == [2, 10])
    }
    // 5 convolutions (direction, magnitude, bias) + 5 batch norms + the
    // weight-normalised FC layer.
    #expect(theta.count == 5 * 3 + 5 + 3)
  }

  @Test("The paper's CIFAR-10 learner has the paper's widths")
  func paperWidths() {
    var rng = SplitMix64(seed: 1)
    let filters = Sequential.paperCIFARLearner().makeParameters(using: &rng).filter { $0.rank == 4 }.map(\.shape)
    #expect(filters == [[64, 3, 3, 3], [128, 64, 3, 3], [128, 128, 3, 3], [256, 128, 3, 3], [256, 256, 3, 3]])
  }
}
