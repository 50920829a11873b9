/// Everything a meta-training run needs to continue exactly where it
/// stopped: the meta-parameters, the outer optimiser's moments, the
/// iteration and the random stream.
public struct MetaTrainingState: Sendable, Equatable {
  /// The generator's parameters.
  public var generatorParameters: [Tensor]
  /// The curriculum's learnable tensors.
  public var curriculumParameters: [Tensor]
  /// The inner optimiser's meta-learned hyper-parameters.
  public var optimizerParameters: [Tensor]
  /// Adam's first and second moments, one per meta-parameter, in the order
  /// generator, curriculum, optimiser.
  public var firstMoments: [Tensor]
  public var secondMoments: [Tensor]
  /// Completed outer iterations.
  public var iteration: Int
  /// The run's random stream.
  public var generator: SplitMix64

  /// All meta-parameters in the canonical order.
  public var metaParameters: [Tensor] {
    get { generatorParameters + curriculumParameters + optimizerParameters }
    set {
      let g = generatorParameters.count
      let c = curriculumParameters.count
      generatorParameters = Array(newValue[0..<g])
      curriculumParameters = Array(newValue[g..<(g + c)])
      optimizerParameters = Array(newValue[(g + c)...])
    }
  }
}
