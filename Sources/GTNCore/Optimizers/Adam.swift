internal import _GTNKernels

/// Adam (Kingma & Ba, 2015): the outer optimiser of meta-training.
///
/// An init/update pair whose state is a value: ``makeState(for:)`` gives
/// zero moments, ``update(_:gradients:state:learningRate:gradientScale:)``
/// applies one step in place:
///
/// `m ← β₁m + (1−β₁)s·g`,  `v ← β₂v + (1−β₂)(s·g)²`,
/// `p ← p − η · m̂ / (√v̂ + ε)`,
///
/// with bias-corrected `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)` and the
/// gradient scale `s` (for clipping). It runs as one fused C kernel per
/// tensor and is deterministic: equal states and gradients give
/// bit-identical results.
///
/// ```swift
/// let adam = Adam(beta1: 0.9, beta2: 0.999)
/// var state = adam.makeState(for: parameters)
/// adam.update(&parameters, gradients: gradients, state: &state, learningRate: 1e-3)
/// ```
///
/// - Complexity: O(number of scalars), one pass.
/// - Reference: D. P. Kingma, J. Ba, "Adam: A Method for Stochastic
///   Optimization", ICLR 2015.
public struct Adam: Sendable, Hashable, Codable {
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float

  public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
    precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0,
                 "Adam needs 0 ≤ β₁, β₂ < 1 and ε > 0, got \(beta1), \(beta2), \(epsilon)")
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  /// Adam's state: the moments, one per parameter tensor, and the number
  /// of steps taken.
  public struct State: Sendable, Equatable {
    public var firstMoments: [Tensor]
    public var secondMoments: [Tensor]
    /// Steps taken; the next step is number `stepCount + 1`.
    public var stepCount: Int

    public init(firstMoments: [Tensor], secondMoments: [Tensor], stepCount: Int) {
      precondition(firstMoments.map(\.shape) == secondMoments.map(\.shape),
                   "Adam.State: moment shapes \(firstMoments.map(\.shape)) and \(secondMoments.map(\.shape)) differ")
      self.firstMoments = firstMoments
      self.secondMoments = secondMoments
      self.stepCount = stepCount
    }
  }

  /// Zero moments for `parameters`, no steps taken.
  public func makeState(for parameters: [Tensor]) -> State {
    let zeros = parameters.map { Tensor(zeros: $0.shape) }
    return State(firstMoments: zeros, secondMoments: zeros, stepCount: 0)
  }

  /// One step, in place.
  ///
  /// - Parameters:
  ///   - parameters: The parameters, updated in place.
  ///   - gradients: One gradient per parameter, of the same shape.
  ///   - state: The moments and step count, advanced.
  ///   - learningRate: η for this step.
  ///   - gradientScale: `s`, multiplies every gradient (1: none).
  public func update(
    _ parameters: inout [Tensor], gradients: [Tensor], state: inout State, learningRate: Float, gradientScale: Float = 1
  ) {
    precondition(gradients.map(\.shape) == parameters.map(\.shape) && state.firstMoments.map(\.shape) == parameters.map(\.shape),
                 "Adam.update: parameters \(parameters.map(\.shape)), gradients \(gradients.map(\.shape)), moments \(state.firstMoments.map(\.shape))")
    let t = Float(state.stepCount + 1)
    let c1 = 1 - _powf(beta1, t)
    let c2 = 1 - _powf(beta2, t)
    for i in parameters.indices {
      gradients[i].withUnsafeBufferPointer { g in
        state.firstMoments[i].withUnsafeMutableBufferPointer { m in
          state.secondMoments[i].withUnsafeMutableBufferPointer { v in
            parameters[i].withUnsafeMutableBufferPointer { p in
              guard let pg = g.baseAddress, let pm = m.baseAddress, let pv = v.baseAddress,
                    let pp = p.baseAddress else { return }
              gtn_adam(pp, pm, pv, pg, p.count, gradientScale, learningRate, beta1, beta2, c1, c2, epsilon)
            }
          }
        }
      }
    }
    state.stepCount += 1
  }
}
