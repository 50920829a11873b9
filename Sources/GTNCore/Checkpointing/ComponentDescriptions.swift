/// The bundled components of a meta-training run as one `Codable` value:
/// generator, curriculum, inner optimiser and learners. A checkpoint stores
/// it (metadata `gtn.components`) when every component is a bundled one, so
/// that ``MetaTrainer/init(restoringFrom:)`` can rebuild the trainer from the
/// file alone.
///
/// ```swift
/// if let components = ComponentDescriptions(trainer) {
///   let json = try JSONEncoder().encode(components)
///   print(String(decoding: json, as: UTF8.self))
/// }
/// ```
public struct ComponentDescriptions: Sendable, Codable, Hashable {
  /// A bundled generator.
  public enum GeneratorSpec: Sendable, Codable, Hashable {
    case conditional(noiseSize: Int, classCount: Int, network: LayerDescription)
    case identity
  }

  /// A bundled curriculum.
  public enum CurriculumSpec: Sendable, Codable, Hashable {
    case learned(LearnedCurriculum)
    case random(RandomCurriculum)
    case shuffled(ShuffledCurriculum)
    case pixels(PixelCurriculum)
  }

  /// A bundled inner optimiser.
  public enum OptimizerSpec: Sendable, Codable, Hashable {
    case sgdWithMomentum(SGDWithMomentum)
    case innerAdam(InnerAdam)
  }

  public var generator: GeneratorSpec
  public var curriculum: CurriculumSpec
  public var optimizer: OptimizerSpec
  public var learners: [LayerDescription]

  /// The descriptions of a trainer's components, or `nil` when any of them
  /// is not a bundled type.
  public init?(_ trainer: MetaTrainer) {
    switch trainer.generator {
    case let g as ConditionalGenerator:
      guard let network = LayerDescription(g.network) else { return nil }
      generator = .conditional(noiseSize: g.noiseSize, classCount: g.classCount, network: network)
    case is IdentityGenerator: generator = .identity
    default: return nil
    }
    switch trainer.curriculum {
    case let c as LearnedCurriculum: curriculum = .learned(c)
    case let c as RandomCurriculum: curriculum = .random(c)
    case let c as ShuffledCurriculum: curriculum = .shuffled(c)
    case let c as PixelCurriculum: curriculum = .pixels(c)
    default: return nil
    }
    switch trainer.optimizer {
    case let o as SGDWithMomentum: optimizer = .sgdWithMomentum(o)
    case let o as InnerAdam: optimizer = .innerAdam(o)
    default: return nil
    }
    var learners: [LayerDescription] = []
    for learner in trainer.learners {
      guard learner is Sequential, let description = LayerDescription(learner) else { return nil }
      learners.append(description)
    }
    self.learners = learners
  }

  /// The generator described.
  public func makeGenerator() -> any Generator {
    switch generator {
    case .conditional(let noise, let classes, let network):
      ConditionalGenerator(noiseSize: noise, classCount: classes, network: network.sequential)
    case .identity: IdentityGenerator()
    }
  }

  /// The curriculum described.
  public func makeCurriculum() -> any Curriculum {
    switch curriculum {
    case .learned(let c): c
    case .random(let c): c
    case .shuffled(let c): c
    case .pixels(let c): c
    }
  }

  /// The inner optimiser described.
  public func makeOptimizer() -> any InnerOptimizer {
    switch optimizer {
    case .sgdWithMomentum(let o): o
    case .innerAdam(let o): o
    }
  }

  /// The learners described.
  public func makeLearners() -> [any Learner] { learners.map(\.sequential) }
}
