/// Direct pixel learning ("dataset distillation"): the curriculum's learned
/// tensors are the `[T, B, C, H, W]` images themselves. Use it with
/// ``IdentityGenerator``.
public struct PixelCurriculum: Curriculum, Codable, Hashable {
  public var stepCount: Int
  public var batchSize: Int
  public var imageShape: [Int]
  public var classCount: Int

  public init(stepCount: Int, batchSize: Int, imageShape: [Int], classCount: Int = 10) {
    precondition(imageShape.count == 3, "PixelCurriculum needs a [C, H, W] image shape, got \(imageShape)")
    self.stepCount = stepCount
    self.batchSize = batchSize
    self.imageShape = imageShape
    self.classCount = classCount
  }

  public var parameterCount: Int { 1 }
  /// `["images"]`.
  public var parameterNames: [String] { ["images"] }
  public var labels: [Int] { (0..<batchSize).map { $0 % classCount } }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    [Tensor(randomNormal: [stepCount, batchSize] + imageShape, standardDeviation: 0.5, using: &generator)]
  }

  public func batch(at step: Int, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch {
    let images = parameters[parameters.startIndex].slice(alongAxis: 0, step..<(step + 1)).reshaped(to: [batchSize] + imageShape)
    return CurriculumBatch(inputs: images, labels: labels, targets: Variable(CurriculumBatch.oneHot(labels, classCount: classCount)))
  }
}
