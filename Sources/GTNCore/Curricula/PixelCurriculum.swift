/// Direct pixel learning ("dataset distillation"): the curriculum's learned
/// tensors are the `[T, B, C, H, W]` images themselves, optionally with
/// learned soft labels. Use it with ``IdentityGenerator``.
///
/// Labels are class-balanced (sample `i` has class `i mod K`). With
/// `learnsSoftLabels` each sample's target is the softmax of learned logits
/// (a `[T, B, K]` tensor initialised near one-hot), as in
/// ``LearnedCurriculum``, so a pixel curriculum and a generator's learned
/// curriculum can be compared with the same label freedom.
///
/// ```swift
/// let pixels = PixelCurriculum(stepCount: 10, batchSize: 10, imageShape: [1, 28, 28], learnsSoftLabels: true)
/// ```
public struct PixelCurriculum: Curriculum, Codable, Hashable {
  public var stepCount: Int
  public var batchSize: Int
  public var imageShape: [Int]
  public var classCount: Int
  /// Whether the targets are learned distributions instead of fixed one-hot
  /// labels.
  public var learnsSoftLabels: Bool

  public init(stepCount: Int, batchSize: Int, imageShape: [Int], classCount: Int = 10, learnsSoftLabels: Bool = false) {
    precondition(imageShape.count == 3, "PixelCurriculum needs a [C, H, W] image shape, got \(imageShape)")
    self.stepCount = stepCount
    self.batchSize = batchSize
    self.imageShape = imageShape
    self.classCount = classCount
    self.learnsSoftLabels = learnsSoftLabels
  }

  /// Decodes descriptions written before soft labels existed as one-hot.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      stepCount: try c.decode(Int.self, forKey: .stepCount), batchSize: try c.decode(Int.self, forKey: .batchSize),
      imageShape: try c.decode([Int].self, forKey: .imageShape), classCount: try c.decode(Int.self, forKey: .classCount),
      learnsSoftLabels: try c.decodeIfPresent(Bool.self, forKey: .learnsSoftLabels) ?? false)
  }

  public var parameterCount: Int { learnsSoftLabels ? 2 : 1 }
  /// `["images"]`, with soft labels `["images", "label_logits"]`.
  public var parameterNames: [String] { learnsSoftLabels ? ["images", "label_logits"] : ["images"] }
  public var labels: [Int] { (0..<batchSize).map { $0 % classCount } }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    let images = Tensor(randomNormal: [stepCount, batchSize] + imageShape, standardDeviation: 0.5, using: &generator)
    guard learnsSoftLabels else { return [images] }
    return [images, CurriculumBatch.initialLabelLogits(labels: labels, stepCount: stepCount, classCount: classCount)]
  }

  public func batch(at step: Int, parameters: ArraySlice<Variable>, seed: UInt64) -> CurriculumBatch {
    let p = Array(parameters)
    let images = p[0].slice(alongAxis: 0, step..<(step + 1)).reshaped(to: [batchSize] + imageShape)
    let targets = learnsSoftLabels
      ? p[1].slice(alongAxis: 0, step..<(step + 1)).reshaped(to: [batchSize, classCount]).softmax()
      : Variable(CurriculumBatch.oneHot(labels, classCount: classCount))
    return CurriculumBatch(inputs: images, labels: labels, targets: targets)
  }
}
