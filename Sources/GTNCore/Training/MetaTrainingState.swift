/// Everything a meta-training run needs to continue exactly where it
/// stopped: the meta-parameters, the outer optimiser's state, the iteration
/// and the random stream.
public struct MetaTrainingState: Sendable, Equatable {
  /// The meta-parameters: generator, curriculum and inner-optimiser parts.
  public var metaParameters: MetaParameters
  /// The outer optimiser's state: its moments, one per meta-parameter tensor
  /// in the canonical order of ``MetaParameters/tensors``, and its step
  /// count, which is the iteration.
  public var outerOptimizerState: Adam.State
  /// The run's random stream: one outer seed is drawn from it per iteration.
  public var rng: SplitMix64

  public init(metaParameters: MetaParameters, outerOptimizerState: Adam.State, rng: SplitMix64) {
    precondition(outerOptimizerState.firstMoments.map(\.shape) == metaParameters.tensors.map(\.shape),
                 "MetaTrainingState: moments \(outerOptimizerState.firstMoments.map(\.shape)) for meta-parameters \(metaParameters.tensors.map(\.shape))")
    self.metaParameters = metaParameters
    self.outerOptimizerState = outerOptimizerState
    self.rng = rng
  }

  /// Completed outer iterations.
  public var iteration: Int {
    get { outerOptimizerState.stepCount }
    set { outerOptimizerState.stepCount = newValue }
  }
}
