internal import _GTNKernels

/// Meta-trains a generator and a curriculum (and the inner optimiser's
/// hyper-parameters) so that a freshly initialised learner, trained on the
/// generated data for T steps, does well on real data.
///
/// One outer iteration (``step(realImages:realLabels:)``):
/// 1. draw a learner (from ``learners``) and its initial parameters θ₀;
/// 2. for t = 0 … T−1: generate `x_t = G(z_t, y_t)`, take the inner loss
///    `ℓ_t = CE(f(x_t; θ_t), y_t)` and its gradient *with the graph retained*,
///    and update θ with the inner optimiser;
/// 3. the meta-loss is the cross-entropy of `f(·; θ_T)` on real data (plus,
///    optionally, at intermediate steps);
/// 4. back-propagate through the whole unrolled loop — exact second-order
///    meta-gradients — to G's parameters, the curriculum and the optimiser's
///    hyper-parameters, and update them with Adam.
///
/// With ``MetaTrainingConfiguration/checkpointSegmentLength`` set, step 4
/// recomputes the loop segment by segment instead of keeping the whole graph,
/// so memory grows with the segment length rather than with T; the gradient
/// is the same.
///
/// ```swift
/// var trainer = MetaTrainer(
///   generator: generator, curriculum: curriculum, optimizer: SGDWithMomentum(),
///   learners: [learner], configuration: .init(iterations: 200), seed: 1)
/// for _ in 0..<200 {
///   let (x, y) = realBatches.next()
///   let result = try trainer.step(realImages: x, realLabels: y)
///   print(result.metaLoss)
/// }
/// ```
///
/// - Reference: F. P. Such, A. Rawal, J. Lehman, K. O. Stanley, J. Clune,
///   "Generative Teaching Networks: Accelerating Neural Architecture Search
///   by Learning to Generate Synthetic Training Data", ICML 2020.
public struct MetaTrainer: Sendable {
  public var generator: any Generator
  public var curriculum: any Curriculum
  public var optimizer: any InnerOptimizer
  /// The learner architectures; each outer iteration draws one at random
  /// (a single element: always the same architecture).
  public var learners: [any Learner]
  public var configuration: MetaTrainingConfiguration
  /// The run's state; save it with ``saveCheckpoint(to:metadata:)`` to resume.
  public var state: MetaTrainingState

  /// Creates a trainer with freshly initialised meta-parameters.
  ///
  /// - Parameters:
  ///   - generator: The generator to train.
  ///   - curriculum: The curriculum (learned or not).
  ///   - optimizer: The inner optimiser, whose hyper-parameters are learned.
  ///   - learners: One or more learner architectures to sample from.
  ///   - configuration: The outer loop's settings.
  ///   - seed: Seeds every random choice of the run.
  public init(
    generator: any Generator, curriculum: any Curriculum, optimizer: any InnerOptimizer,
    learners: [any Learner], configuration: MetaTrainingConfiguration, seed: UInt64
  ) {
    precondition(!learners.isEmpty, "MetaTrainer needs at least one learner")
    self.generator = generator
    self.curriculum = curriculum
    self.optimizer = optimizer
    self.learners = learners
    self.configuration = configuration
    var rng = SplitMix64(seed: seed)
    let g = generator.makeParameters(using: &rng)
    let c = curriculum.makeParameters(using: &rng)
    let o = optimizer.makeMetaParameters()
    let all = g + c + o
    state = MetaTrainingState(
      generatorParameters: g, curriculumParameters: c, optimizerParameters: o,
      firstMoments: all.map { Tensor(zeros: $0.shape) }, secondMoments: all.map { Tensor(zeros: $0.shape) },
      iteration: 0, generator: rng)
  }

  /// The result of one outer iteration.
  public struct StepResult: Sendable {
    /// The meta-loss (real-data cross-entropy after the inner loop, plus any
    /// intermediate losses).
    public var metaLoss: Float
    /// The learner's accuracy on the real batch after the inner loop.
    public var realBatchAccuracy: Double
    /// The global L2 norm of the meta-gradient before clipping.
    public var gradientNorm: Float
    /// The index of the learner architecture used.
    public var learnerIndex: Int
  }

  /// Runs one outer iteration and updates the meta-parameters.
  ///
  /// - Parameters:
  ///   - realImages: The real batch for the meta-loss, `[N, C, H, W]`.
  ///   - realLabels: Its N labels.
  /// - Throws: ``MetaTrainingError/nonFiniteMetaLoss(iteration:)`` when the
  ///   meta-loss or its gradient is not finite; the state is then unchanged.
  public mutating func step(realImages: Tensor, realLabels: [Int]) throws -> StepResult {
    let seed = nextOuterSeed()
    let (learnerIndex, theta0) = sampleLearner(seed: seed)
    let (loss, accuracy, gradients) = metaGradient(
      learner: learners[learnerIndex], initialParameters: theta0, seed: seed, realImages: realImages, realLabels: realLabels)
    let norm = try applyMetaGradient(gradients, metaLoss: loss)
    return StepResult(metaLoss: loss, realBatchAccuracy: accuracy, gradientNorm: norm, learnerIndex: learnerIndex)
  }

  // MARK: - The outer step's parts, for custom outer loops

  /// Draws the next outer seed from the run's random stream
  /// (``MetaTrainingState/generator``); ``step(realImages:realLabels:)``
  /// draws exactly one per iteration.
  ///
  /// Custom outer loops (e.g. data-parallel training, which derives one
  /// seed per worker from it) call this once per iteration so that the
  /// stream, and hence a resumed run, stays in step with the serial loop.
  public mutating func nextOuterSeed() -> UInt64 {
    state.generator.next()
  }

  /// The learner architecture and initial parameters θ₀ that outer seed
  /// `seed` selects: a uniformly drawn index into ``learners`` (always 0
  /// for one learner), then θ₀ from the same stream.
  ///
  /// - Parameter seed: An outer seed, e.g. from ``nextOuterSeed()``.
  /// - Returns: The index into ``learners`` and θ₀.
  public func sampleLearner(seed: UInt64) -> (learnerIndex: Int, initialParameters: [Tensor]) {
    var rng = SplitMix64(seed: seed)
    let learnerIndex = learners.count == 1 ? 0 : Int.random(in: 0..<learners.count, using: &rng)
    return (learnerIndex, learners[learnerIndex].makeParameters(using: &rng))
  }

  /// Applies one Adam update with a meta-gradient and advances the
  /// iteration: the gradient is rescaled to at most
  /// ``MetaTrainingConfiguration/gradientClipNorm``, then
  /// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
  /// `p ← p − η_t · m̂ / (√v̂ + 10⁻⁸)` with bias-corrected `m̂`, `v̂`.
  ///
  /// ``step(realImages:realLabels:)`` is ``metaGradient(learner:initialParameters:seed:realImages:realLabels:)``
  /// followed by this; a data-parallel loop averages the gradients of
  /// several workers first. The update is deterministic: equal states and
  /// gradients give bit-identical results.
  ///
  /// - Parameters:
  ///   - gradients: One tensor per meta-parameter, shaped like
  ///     ``MetaTrainingState/metaParameters``.
  ///   - metaLoss: The meta-loss the gradient belongs to (checked for being
  ///     finite).
  /// - Returns: The gradient's global L2 norm before clipping.
  /// - Throws: ``MetaTrainingError/nonFiniteMetaLoss(iteration:)`` when the
  ///   loss or the gradient is not finite; the meta-parameters are then
  ///   unchanged.
  /// - Complexity: O(number of meta-parameters).
  @discardableResult
  public mutating func applyMetaGradient(_ gradients: [Tensor], metaLoss: Float) throws -> Float {
    let parameters = state.metaParameters
    precondition(gradients.count == parameters.count && zip(gradients, parameters).allSatisfy { $0.shape == $1.shape },
                 "applyMetaGradient: gradient shapes \(gradients.map(\.shape)) do not match the meta-parameters \(parameters.map(\.shape))")
    let squaredNorm = gradients.reduce(0.0) { total, g in
      g.withUnsafeBufferPointer { p in total + (p.baseAddress.map { gtn_sum_of_squares($0, p.count) } ?? 0) }
    }
    let norm = Float(squaredNorm.squareRoot())
    guard metaLoss.isFinite, norm.isFinite else {
      throw MetaTrainingError.nonFiniteMetaLoss(iteration: state.iteration)
    }
    var scale: Float = 1
    if let clip = configuration.gradientClipNorm, norm > clip { scale = clip / norm }
    applyAdam(gradients: gradients, scale: scale)
    state.iteration += 1
    return norm
  }

  private mutating func applyAdam(gradients: [Tensor], scale: Float) {
    let lr = configuration.learningRate(at: state.iteration)
    let (b1, b2) = (configuration.beta1, configuration.beta2)
    let t = Float(state.iteration + 1)
    let c1 = 1 - _powf(b1, t)
    let c2 = 1 - _powf(b2, t)
    var parameters = state.metaParameters
    for i in parameters.indices {
      gradients[i].withUnsafeBufferPointer { g in
        state.firstMoments[i].withUnsafeMutableBufferPointer { m in
          state.secondMoments[i].withUnsafeMutableBufferPointer { v in
            parameters[i].withUnsafeMutableBufferPointer { p in
              guard let pg = g.baseAddress, let pm = m.baseAddress, let pv = v.baseAddress,
                    let pp = p.baseAddress else { return }
              gtn_adam(pp, pm, pv, pg, p.count, scale, lr, b1, b2, c1, c2, 1e-8)
            }
          }
        }
      }
    }
    state.metaParameters = parameters
  }

  /// The meta-loss and its exact gradient with respect to all
  /// meta-parameters (generator, curriculum, optimiser — in that order) for
  /// one learner and one outer seed, without updating anything.
  ///
  /// Exposed for testing and for custom outer loops.
  public func metaGradient(
    learner: any Learner, initialParameters theta0: [Tensor], seed: UInt64,
    realImages: Tensor, realLabels: [Int]
  ) -> (loss: Float, accuracy: Double, gradients: [Tensor]) {
    let T = curriculum.stepCount
    let segment = Swift.max(1, Swift.min(configuration.checkpointSegmentLength ?? T, T))
    let meta = state.metaParameters.map { Variable($0, requiresGradient: true) }
    let real = Variable(realImages)

    // Forward without a graph, keeping the inner state at segment boundaries.
    var boundaries: [(theta: [Tensor], velocity: [Tensor])] = []
    var theta = theta0
    var velocity = optimizer.makeState(for: theta0.map { Variable($0) }).map(\.value)
    var start = 0
    while start < T {
      boundaries.append((theta, velocity))
      let end = Swift.min(start + segment, T)
      if end < T {
        let constants = meta.map(\.detached)
        let out = unroll(learner: learner, steps: start..<end, theta: theta.map { Variable($0, requiresGradient: true) },
                         velocity: velocity.map { Variable($0) }, meta: constants, seed: seed, real: real,
                         realLabels: realLabels, retainingGraph: false)
        theta = out.theta.map(\.value)
        velocity = out.velocity.map(\.value)
      }
      start = end
    }

    // Backward, last segment first, recomputing each segment with its graph.
    var metaGradients: [Tensor] = []  // the last segment's, then summed into
    var thetaAdjoint: [Tensor] = []
    var velocityAdjoint: [Tensor] = []
    var finalLoss: Float = 0
    var finalAccuracy = 0.0
    for s in stride(from: boundaries.count - 1, through: 0, by: -1) {
      let range = (s * segment)..<Swift.min((s + 1) * segment, T)
      let theta = boundaries[s].theta.map { Variable($0, requiresGradient: true) }
      let velocity = boundaries[s].velocity.map { Variable($0, requiresGradient: s > 0) }
      let out = unroll(learner: learner, steps: range, theta: theta, velocity: velocity, meta: meta, seed: seed,
                       real: real, realLabels: realLabels, retainingGraph: true)
      var objective = out.intermediateLoss
      if s == boundaries.count - 1 {
        let logits = learner(real, parameters: out.theta[...])
        let loss = crossEntropy(logits: logits, labels: realLabels)
        finalLoss = loss.value.scalar + out.intermediateLossValue
        finalAccuracy = accuracy(logits: logits.value, labels: realLabels)
        objective = objective.map { $0 + loss } ?? loss
      } else {
        // Vector–Jacobian product with the adjoints from the later segment.
        for (v, a) in zip(out.theta, thetaAdjoint) {
          objective = objective.map { $0 + (v * a).sum() } ?? (v * a).sum()
        }
        for (v, a) in zip(out.velocity, velocityAdjoint) {
          objective = objective.map { $0 + (v * a).sum() } ?? (v * a).sum()
        }
        finalLoss += out.intermediateLossValue
      }
      guard let objective else { continue }
      let targets = meta + (s > 0 ? theta + velocity : [])
      let grads = gradients(of: objective, withRespectTo: targets).map(\.value)
      if metaGradients.isEmpty {
        metaGradients = Array(grads[..<meta.count])
      } else {
        for i in meta.indices { metaGradients[i].add(grads[i]) }
      }
      if s > 0 {
        thetaAdjoint = Array(grads[meta.count..<(meta.count + theta.count)])
        velocityAdjoint = Array(grads[(meta.count + theta.count)...])
      }
    }
    if metaGradients.isEmpty { metaGradients = meta.map { Tensor(zeros: $0.shape) } }
    return (finalLoss, finalAccuracy, metaGradients)
  }

  /// The most samples a generator without batch statistics makes in one
  /// call (several inner steps' batches): enough for efficient matrix
  /// products, small enough that the call's activations and their gradients
  /// stay below the allocator's 32 MiB heap threshold (W2's widest layer:
  /// 26 MB; at 1,024 samples W2 paid page faults and 110 MB more peak
  /// memory, W1 ran the same).
  static let samplesPerGeneratorCall = 512

  /// Runs inner steps `steps` from the given learner state.
  private func unroll(
    learner: any Learner, steps: Range<Int>, theta: [Variable], velocity: [Variable], meta: [Variable],
    seed: UInt64, real: Variable, realLabels: [Int], retainingGraph: Bool
  ) -> (theta: [Variable], velocity: [Variable], intermediateLoss: Variable?, intermediateLossValue: Float) {
    let g = generator.parameterCount
    let c = curriculum.parameterCount
    let generatorParameters = meta[0..<g]
    let curriculumParameters = meta[g..<(g + c)]
    let optimizerParameters = Array(meta[(g + c)...])
    var theta = theta
    var velocity = velocity
    var intermediate: Variable? = nil
    var intermediateValue: Float = 0
    // A generator without batch statistics makes the images of several
    // steps (up to `samplesPerGeneratorCall` samples) in one call; each step
    // takes its rows — the same images as one call per step, from larger
    // matrix products and with one weight gradient per call.
    let stepsPerCall = generator.generatesSamplesIndependently
      ? Swift.max(1, Self.samplesPerGeneratorCall / Swift.max(1, curriculum.batchSize)) : 1
    var group: (images: Variable, targets: Variable, stepCount: Int)? = nil
    for t in steps {
      let images: Variable
      let targets: Variable
      if stepsPerCall > 1 {
        let offset = (t - steps.lowerBound) % stepsPerCall
        if offset == 0 {
          let range = t..<Swift.min(t + stepsPerCall, steps.upperBound)
          let all = curriculum.batches(for: range, parameters: curriculumParameters, seed: seed)
          group = (generator(all.inputs, targets: all.targets, parameters: generatorParameters), all.targets, range.count)
        }
        let (all, allTargets, count) = group!
        let rows = all.shape[0] / count
        let range = (offset * rows)..<((offset + 1) * rows)
        (images, targets) = (all.slice(alongAxis: 0, range), allTargets.slice(alongAxis: 0, range))
      } else {
        let batch = curriculum.batch(at: t, parameters: curriculumParameters, seed: seed)
        (images, targets) = (generator(batch.inputs, targets: batch.targets, parameters: generatorParameters), batch.targets)
      }
      let logits = learner(images, parameters: theta[...])
      let loss = crossEntropy(logits: logits, probabilities: targets)
      let innerGradients = gradients(of: loss, withRespectTo: theta, retainingGraph: retainingGraph)
      theta = optimizer.update(theta, gradients: innerGradients, state: &velocity, metaParameters: optimizerParameters, step: t)
      if retainingGraph, let k = configuration.intermediateLossInterval, (t + 1) % k == 0, t + 1 < curriculum.stepCount {
        let realLoss = crossEntropy(logits: learner(real, parameters: theta[...]), labels: realLabels)
        intermediateValue += realLoss.value.scalar
        intermediate = intermediate.map { $0 + realLoss } ?? realLoss
      }
    }
    return (theta, velocity, intermediate, intermediateValue)
  }
}

/// Why meta-training stopped.
public enum MetaTrainingError: Error, Equatable, CustomStringConvertible {
  /// The meta-loss or its gradient became NaN or infinite.
  case nonFiniteMetaLoss(iteration: Int)

  public var description: String {
    switch self {
    case .nonFiniteMetaLoss(let i):
      return "meta-training stopped at iteration \(i): the meta-loss or its gradient is not finite (lower the outer learning rate or enable gradient clipping)"
    }
  }
}
