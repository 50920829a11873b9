/// Everything a GTN meta-learns, in named parts: the generator's
/// parameters, the curriculum's tensors (learned inputs and, with soft
/// labels, the label logits) and the inner optimiser's hyper-parameters.
///
/// Every part is a ``NamedTensors`` list whose names come from the component
/// (``Generator/parameterNames``, ``Curriculum/parameterNames``,
/// ``InnerOptimizer/makeMetaParameters()``). Checkpoint keys are
/// ``keys`` (`"generator.0.weight"`, `"curriculum.inputs"`,
/// `"optimizer.log_learning_rate"`), and meta-gradients have the same
/// structure as the meta-parameters they belong to.
///
/// ```swift
/// let meta = trainer.state.metaParameters
/// print(meta.curriculum["inputs"].shape)          // [T, B, noise]
/// print(meta.optimizer.names)                     // ["log_learning_rate", "momentum_logit"]
/// let doubled = meta.mapTensors { $0 * 2 }
/// ```
///
/// The canonical flat order — generator, curriculum, optimiser, each in its
/// own order — is what ``tensors`` returns and ``replacingTensors(with:)``
/// takes; it is used where tensors travel as one list (the outer optimiser,
/// message passing between ranks).
public struct MetaParameters: Sendable, Equatable {
  /// The parts of the meta-parameters.
  public enum Part: String, CaseIterable, Sendable, Codable {
    case generator, curriculum, optimizer
  }

  /// The generator's parameters.
  public var generator: NamedTensors
  /// The curriculum's learnable tensors.
  public var curriculum: NamedTensors
  /// The inner optimiser's meta-learned hyper-parameters.
  public var optimizer: NamedTensors

  public init(generator: NamedTensors, curriculum: NamedTensors, optimizer: NamedTensors) {
    self.generator = generator
    self.curriculum = curriculum
    self.optimizer = optimizer
  }

  /// One part.
  public subscript(part: Part) -> NamedTensors {
    get {
      switch part {
      case .generator: generator
      case .curriculum: curriculum
      case .optimizer: optimizer
      }
    }
    set {
      switch part {
      case .generator: generator = newValue
      case .curriculum: curriculum = newValue
      case .optimizer: optimizer = newValue
      }
    }
  }

  /// Every tensor in the canonical order.
  public var tensors: [Tensor] { Part.allCases.flatMap { self[$0].values } }

  /// Every tensor's key: the part's name, a dot and the tensor's name, in
  /// the canonical order.
  public var keys: [String] { Part.allCases.flatMap { part in self[part].names.map { "\(part.rawValue).\($0)" } } }

  /// The number of tensors in all parts.
  public var count: Int { generator.count + curriculum.count + optimizer.count }

  /// The same names with new tensors given in the canonical order.
  ///
  /// - Precondition: `tensors` has one tensor per entry, of the same shape.
  public func replacingTensors(with tensors: [Tensor]) -> MetaParameters {
    precondition(tensors.count == count && zip(tensors, self.tensors).allSatisfy { $0.shape == $1.shape },
                 "MetaParameters: tensors of shapes \(tensors.map(\.shape)) for meta-parameters \(zip(keys, self.tensors.map(\.shape)).map { "\($0) \($1)" })")
    let parts = partition(tensors)
    return MetaParameters(
      generator: NamedTensors(names: generator.names, values: Array(parts.generator)),
      curriculum: NamedTensors(names: curriculum.names, values: Array(parts.curriculum)),
      optimizer: NamedTensors(names: optimizer.names, values: Array(parts.optimizer)))
  }

  /// Splits a list in the canonical order into the three parts (e.g. the
  /// variables of one recorded computation).
  ///
  /// - Precondition: `list.count == count`.
  public func partition<C: Collection>(_ list: C) -> (generator: C.SubSequence, curriculum: C.SubSequence, optimizer: C.SubSequence)
  where C.Index == Int {
    precondition(list.count == count, "MetaParameters: \(list.count) elements for \(count) meta-parameters")
    let g = list.startIndex + generator.count
    let c = g + curriculum.count
    return (list[list.startIndex..<g], list[g..<c], list[c..<list.endIndex])
  }

  /// The same names with every tensor transformed.
  public func mapTensors(_ transform: (Tensor) throws -> Tensor) rethrows -> MetaParameters {
    MetaParameters(
      generator: try generator.mapValues(transform), curriculum: try curriculum.mapValues(transform),
      optimizer: try optimizer.mapValues(transform))
  }

  /// Zeros of the same names and shapes (e.g. a gradient accumulator).
  public var zeros: MetaParameters { mapTensors { Tensor(zeros: $0.shape) } }
}
