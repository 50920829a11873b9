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
/// var trainer = try MetaTrainer(
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
  /// The inner optimiser: the one update rule of meta-training, of
  /// evaluation and of every replay of the learned data.
  public var optimizer: any InnerOptimizer
  /// The learner architectures; each outer iteration draws one at random
  /// (a single element: always the same architecture).
  public var learners: [any Learner]
  public var configuration: MetaTrainingConfiguration
  /// The run's state; save it with ``saveCheckpoint(to:metadata:)`` to resume.
  public var state: MetaTrainingState

  /// Creates a trainer with freshly initialised meta-parameters, after
  /// checking that the components work together.
  ///
  /// The check makes the curriculum's first batch and follows its shape
  /// through the generator and every learner with
  /// ``Layer/outputShape(forInputShape:)``, so a generator whose images a
  /// learner cannot take fails here, with both shapes named, instead of
  /// trapping inside the first step. It also checks that every component
  /// makes as many parameters as it declares and names them uniquely.
  ///
  /// - Parameters:
  ///   - generator: The generator to train.
  ///   - curriculum: The curriculum (learned or not).
  ///   - optimizer: The inner optimiser, whose hyper-parameters are learned.
  ///   - learners: One or more learner architectures to sample from.
  ///   - configuration: The outer loop's settings.
  ///   - seed: Seeds every random choice of the run.
  /// - Throws: ``MetaTrainingError/incompatibleComponents(_:)``.
  public init(
    generator: any Generator, curriculum: any Curriculum, optimizer: any InnerOptimizer,
    learners: [any Learner], configuration: MetaTrainingConfiguration, seed: UInt64
  ) throws {
    var rng = SplitMix64(seed: seed)
    let g = generator.makeParameters(using: &rng)
    let c = curriculum.makeParameters(using: &rng)
    let o = optimizer.makeMetaParameters()
    let meta = MetaParameters(
      generator: try Self.named(g, names: generator.parameterNames, declared: generator.parameterCount, component: "the generator \(type(of: generator))"),
      curriculum: try Self.named(c, names: curriculum.parameterNames, declared: curriculum.parameterCount, component: "the curriculum \(type(of: curriculum))"),
      optimizer: o)
    try Self.checkCompatibility(generator: generator, curriculum: curriculum, learners: learners, metaParameters: meta)
    self.generator = generator
    self.curriculum = curriculum
    self.optimizer = optimizer
    self.learners = learners
    self.configuration = configuration
    let outer = Adam(beta1: configuration.beta1, beta2: configuration.beta2)
    state = MetaTrainingState(metaParameters: meta, outerOptimizerState: outer.makeState(for: meta.tensors), rng: rng)
  }

  /// The outer optimiser, from ``configuration``.
  public var outerOptimizer: Adam { Adam(beta1: configuration.beta1, beta2: configuration.beta2) }

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
  /// - Throws: ``MetaTrainingError/invalidArgument(name:reason:)`` when the
  ///   batch does not fit the learners;
  ///   ``MetaTrainingError/nonFiniteMetaLoss(iteration:)`` when the
  ///   meta-loss or its gradient is not finite. The state is then unchanged.
  public mutating func step(realImages: Tensor, realLabels: [Int]) throws -> StepResult {
    try checkLabelledImages(realImages, realLabels, name: "realImages")
    let seed = nextOuterSeed()
    let (learnerIndex, theta0) = sampleLearner(seed: seed)
    let (loss, accuracy, gradients) = metaGradient(
      learner: learners[learnerIndex], initialParameters: theta0, seed: seed, realImages: realImages, realLabels: realLabels)
    let norm = try applyMetaGradient(gradients, metaLoss: loss)
    return StepResult(metaLoss: loss, realBatchAccuracy: accuracy, gradientNorm: norm, learnerIndex: learnerIndex)
  }

  // MARK: - The outer step's parts, for custom outer loops

  /// Draws the next outer seed from the run's random stream
  /// (``MetaTrainingState/rng``); ``step(realImages:realLabels:)``
  /// draws exactly one per iteration.
  ///
  /// Custom outer loops (e.g. data-parallel training, which derives one
  /// seed per worker from it) call this once per iteration so that the
  /// stream, and hence a resumed run, stays in step with the serial loop.
  public mutating func nextOuterSeed() -> UInt64 {
    state.rng.next()
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

  /// Applies one step of the outer optimiser (``outerOptimizer``) with a
  /// meta-gradient and advances the iteration: the gradient is rescaled to
  /// at most ``MetaTrainingConfiguration/gradientClipNorm``, and the
  /// learning rate follows ``MetaTrainingConfiguration/learningRate(at:)``.
  ///
  /// ``step(realImages:realLabels:)`` is ``metaGradient(learner:initialParameters:seed:realImages:realLabels:)``
  /// followed by this; a data-parallel loop averages the gradients of
  /// several workers first. The update is deterministic: equal states and
  /// gradients give bit-identical results.
  ///
  /// - Parameters:
  ///   - gradients: The meta-gradient, shaped like
  ///     ``MetaTrainingState/metaParameters``.
  ///   - metaLoss: The meta-loss the gradient belongs to (checked for being
  ///     finite).
  /// - Returns: The gradient's global L2 norm before clipping.
  /// - Throws: ``MetaTrainingError/nonFiniteMetaLoss(iteration:)`` when the
  ///   loss or the gradient is not finite; the meta-parameters are then
  ///   unchanged.
  /// - Complexity: O(number of meta-parameters).
  @discardableResult
  public mutating func applyMetaGradient(_ gradients: MetaParameters, metaLoss: Float) throws -> Float {
    precondition(gradients.keys == state.metaParameters.keys && gradients.tensors.map(\.shape) == state.metaParameters.tensors.map(\.shape),
                 "applyMetaGradient: gradient \(zip(gradients.keys, gradients.tensors.map(\.shape)).map { "\($0) \($1)" }) does not match the meta-parameters \(zip(state.metaParameters.keys, state.metaParameters.tensors.map(\.shape)).map { "\($0) \($1)" })")
    let flat = gradients.tensors
    let norm = Float(flat.reduce(0.0) { $0 + $1.sumOfSquares() }.squareRoot())
    guard metaLoss.isFinite, norm.isFinite else {
      throw MetaTrainingError.nonFiniteMetaLoss(iteration: state.iteration)
    }
    var scale: Float = 1
    if let clip = configuration.gradientClipNorm, norm > clip { scale = clip / norm }
    var parameters = state.metaParameters.tensors
    outerOptimizer.update(
      &parameters, gradients: flat, state: &state.outerOptimizerState,
      learningRate: configuration.learningRate(at: state.iteration), gradientScale: scale)
    state.metaParameters = state.metaParameters.replacingTensors(with: parameters)
    return norm
  }

  /// Ends the current outer iteration without an update: the iteration
  /// count advances, so the learning-rate schedule, a seeded loop's real
  /// batches and a resumed run stay in step, while the meta-parameters and
  /// the outer optimiser's moments stay as they are.
  ///
  /// For outer loops that pass over an iteration whose meta-loss or
  /// meta-gradient is not finite (one learner initialisation whose inner
  /// loop diverged) instead of stopping; call it after the step threw
  /// ``MetaTrainingError/nonFiniteMetaLoss(iteration:)``, which consumed the
  /// iteration's outer seed. Adam's bias correction counts the skipped
  /// iteration, which changes its step by a factor within
  /// `1 ± β₂^t` of the unskipped one.
  public mutating func skipIteration() {
    state.iteration += 1
  }

  /// The meta-loss and its exact gradient with respect to all
  /// meta-parameters for one learner and one outer seed, without updating
  /// anything.
  ///
  /// Exposed for testing and for custom outer loops.
  ///
  /// - Returns: The meta-loss, the learner's accuracy on the real batch
  ///   after the inner loop, and the meta-gradient, named like the
  ///   meta-parameters.
  public func metaGradient(
    learner: any Learner, initialParameters theta0: [Tensor], seed: UInt64,
    realImages: Tensor, realLabels: [Int]
  ) -> (loss: Float, accuracy: Double, gradients: MetaParameters) {
    let T = curriculum.stepCount
    let segment = Swift.max(1, Swift.min(configuration.checkpointSegmentLength ?? T, T))
    let meta = state.metaParameters.tensors.map { Variable($0, requiresGradient: true) }
    let real = Variable(realImages)

    // Forward without a graph, keeping the inner state at segment boundaries.
    var boundaries: [(theta: [Tensor], optimizerState: [Tensor])] = []
    var theta = theta0
    var optimizerState = optimizer.makeState(for: theta0.map { Variable($0) }).map(\.value)
    var start = 0
    while start < T {
      boundaries.append((theta, optimizerState))
      let end = Swift.min(start + segment, T)
      if end < T {
        let constants = meta.map(\.detached)
        let out = unroll(learner: learner, steps: start..<end, theta: theta.map { Variable($0, requiresGradient: true) },
                         optimizerState: optimizerState.map { Variable($0) }, meta: constants, seed: seed, real: real,
                         realLabels: realLabels, retainingGraph: false)
        theta = out.theta.map(\.value)
        optimizerState = out.optimizerState.map(\.value)
      }
      start = end
    }

    // Backward, last segment first, recomputing each segment with its graph.
    var metaGradients: [Tensor] = []  // the last segment's, then summed into
    var thetaAdjoint: [Tensor] = []
    var stateAdjoint: [Tensor] = []
    var finalLoss: Float = 0
    var finalAccuracy = 0.0
    for s in stride(from: boundaries.count - 1, through: 0, by: -1) {
      let range = (s * segment)..<Swift.min((s + 1) * segment, T)
      let theta = boundaries[s].theta.map { Variable($0, requiresGradient: true) }
      let optimizerState = boundaries[s].optimizerState.map { Variable($0, requiresGradient: s > 0) }
      let out = unroll(learner: learner, steps: range, theta: theta, optimizerState: optimizerState, meta: meta, seed: seed,
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
        for (v, a) in zip(out.optimizerState, stateAdjoint) {
          objective = objective.map { $0 + (v * a).sum() } ?? (v * a).sum()
        }
        finalLoss += out.intermediateLossValue
      }
      guard let objective else { continue }
      let targets = meta + (s > 0 ? theta + optimizerState : [])
      let grads = gradients(of: objective, withRespectTo: targets).map(\.value)
      if metaGradients.isEmpty {
        metaGradients = Array(grads[..<meta.count])
      } else {
        for i in meta.indices { metaGradients[i].add(grads[i]) }
      }
      if s > 0 {
        thetaAdjoint = Array(grads[meta.count..<(meta.count + theta.count)])
        stateAdjoint = Array(grads[(meta.count + theta.count)...])
      }
    }
    if metaGradients.isEmpty { metaGradients = meta.map { Tensor(zeros: $0.shape) } }
    return (finalLoss, finalAccuracy, state.metaParameters.replacingTensors(with: metaGradients))
  }

  /// The most samples a generator without batch statistics makes in one
  /// call (several inner steps' batches): enough for efficient matrix
  /// products, small enough that the call's activations and their gradients
  /// stay below the allocator's 32 MiB heap threshold (W2's widest layer:
  /// 26 MB; at 1,024 samples W2 paid page faults and 110 MB more peak
  /// memory, W1 ran the same).
  static let samplesPerGeneratorCall = 512

  /// Runs inner steps `steps` from the given learner state; `meta` holds
  /// the meta-parameters' variables in the canonical order.
  private func unroll(
    learner: any Learner, steps: Range<Int>, theta: [Variable], optimizerState: [Variable], meta: [Variable],
    seed: UInt64, real: Variable, realLabels: [Int], retainingGraph: Bool
  ) -> (theta: [Variable], optimizerState: [Variable], intermediateLoss: Variable?, intermediateLossValue: Float) {
    let parts = state.metaParameters.partition(meta)
    let generatorParameters = parts.generator
    let curriculumParameters = parts.curriculum
    let optimizerParameters = NamedVariables(names: state.metaParameters.optimizer.names, values: Array(parts.optimizer))
    var theta = theta
    var optimizerState = optimizerState
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
      theta = optimizer.update(theta, gradients: innerGradients, state: &optimizerState, metaParameters: optimizerParameters, step: t)
      if retainingGraph, let k = configuration.intermediateLossInterval, (t + 1) % k == 0, t + 1 < curriculum.stepCount {
        let realLoss = crossEntropy(logits: learner(real, parameters: theta[...]), labels: realLabels)
        intermediateValue += realLoss.value.scalar
        intermediate = intermediate.map { $0 + realLoss } ?? realLoss
      }
    }
    return (theta, optimizerState, intermediate, intermediateValue)
  }
}
