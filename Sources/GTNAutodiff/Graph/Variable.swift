import Synchronization

/// A tensor that remembers how it was computed, so that gradients can flow
/// back through it — including gradients of gradients, to any order.
///
/// A `Variable` is a value: copying it copies a reference to an immutable node
/// of the computation graph. Operations on variables compute their result
/// eagerly with ``Tensor`` kernels and, when any operand requires a gradient
/// and recording is on (see ``withoutGradientRecording(_:)``), record a node
/// holding the operands and a backward rule. Every backward rule is itself
/// written with `Variable` operations, so differentiating the gradients that
/// ``gradients(of:withRespectTo:retainingGraph:seed:)`` returns with
/// `retainingGraph: true` gives exact second (and higher) derivatives.
///
/// ```swift
/// let x = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGradient: true)
/// let y = (x * x * x).sum()                                              // Σ x³
/// let g = gradients(of: y, withRespectTo: [x], retainingGraph: true)[0]  // 3x²
/// let h = gradients(of: g.sum(), withRespectTo: [x])[0]                  // 6x
/// ```
///
/// The graph is reference counted: it is freed as soon as no variable refers
/// to it, and freeing a long chain never recurses. A node keeps only the
/// values its backward rule reads (see ``SavedValues``); an intermediate
/// result that no rule reads is freed with the last variable holding it,
/// while the graph above it lives on.
public struct Variable: @unchecked Sendable {
  @usableFromInline
  internal let node: GraphNode

  /// The computed value.
  public let value: Tensor

  internal init(node: GraphNode, value: Tensor) {
    self.node = node
    self.value = value
  }

  /// Creates a leaf variable.
  ///
  /// - Parameters:
  ///   - value: The tensor.
  ///   - requiresGradient: Whether gradients with respect to this variable
  ///     are wanted; operations on a variable that requires none are not
  ///     recorded.
  public init(_ value: Tensor, requiresGradient: Bool = false) {
    node = GraphNode(shape: value.shape, inputs: [], rule: nil, requiresGradient: requiresGradient)
    self.value = value
  }

  /// Creates a scalar constant.
  public init(_ value: Float) { self.init(Tensor(value)) }

  /// The shape of the value.
  public var shape: [Int] { value.shape }

  /// The number of dimensions.
  public var rank: Int { value.shape.count }

  /// Whether gradients can flow to this variable.
  public var requiresGradient: Bool { node.requiresGradient }

  /// The same value, cut off from the graph: a constant.
  public var detached: Variable { Variable(value) }

  /// A unique, increasing identifier of the node; later operations have
  /// larger identifiers, so sorting by it orders the graph topologically.
  public var id: Int { node.id }
}

/// The backward rule of one recorded operation.
///
/// Given the operation's inputs, its output and the gradient flowing into the
/// output, it returns one gradient per input (`nil` for inputs that need
/// none). It must be written in differentiable `Variable` operations and must
/// not capture variables — only constants such as shapes or index maps — so
/// that graph nodes refer to each other only through their input lists.
public typealias BackwardRule = @Sendable (_ context: BackwardContext) -> [Variable?]

/// What a ``BackwardRule`` receives.
///
/// The rule may read the values its operation saved when it was recorded
/// (``SavedValues``): reading an input or the output that was not saved is a
/// programming error and stops the program with a message naming it.
public struct BackwardContext {
  /// The operation's inputs, in the order they were recorded.
  public let inputs: Inputs
  let savedOutput: Variable?
  /// The gradient of the differentiated quantity with respect to `output`.
  public let upstream: Variable
  let needed: [Bool]

  /// The operation's output.
  public var output: Variable {
    guard let savedOutput else {
      preconditionFailure("a backward rule read its operation's output, which was not saved: record the operation with `saving:` including `output`")
    }
    return savedOutput
  }

  /// Whether the gradient of input `index` is wanted; a rule may skip the
  /// work for inputs that are not.
  public func needsGradient(_ index: Int) -> Bool { needed[index] }

  /// The inputs of a recorded operation, as variables connected to the
  /// graph (so a rule written with them can be differentiated again).
  public struct Inputs: RandomAccessCollection {
    let nodes: [GraphNode]
    let values: [SavedTensor?]

    public var startIndex: Int { 0 }
    public var endIndex: Int { nodes.count }

    public subscript(index: Int) -> Variable {
      guard let value = values[index]?.tensor else {
        preconditionFailure("a backward rule read input \(index) (shape \(nodes[index].shape)) of its operation, which was not saved: record the operation with `saving:` including that input")
      }
      return Variable(node: nodes[index], value: value)
    }
  }
}

/// Node identifiers come from one atomic counter, so they increase along any
/// path of the graph.
private let nodeCounter = Atomic<Int>(0)

@usableFromInline
internal final class GraphNode: @unchecked Sendable {
  let id: Int
  let shape: [Int]
  let requiresGradient: Bool
  let rule: BackwardRule?
  /// The input values `rule` reads (`nil` where it reads none), one per input.
  let savedInputs: [SavedTensor?]
  /// The output value, when `rule` reads it.
  let savedOutput: Tensor?
  /// For a slice of its one input: where the slice lies. When no graph is
  /// recorded, ``gradients(of:withRespectTo:retainingGraph:seed:)`` adds the
  /// slice's gradient into that part of the input's gradient in place
  /// instead of running `rule` (which embeds it into zeros of the input's
  /// size: one full-size buffer per slice).
  let slicePosition: (axis: Int, offset: Int)?
  /// Only ever emptied, by `deinit`, to free long chains iteratively.
  var inputs: [GraphNode]
  /// For an operation that is cheap to repeat and makes its input larger
  /// (nearest upsampling, padding): how to compute its value again from a
  /// smaller tensor. A rule that reads this node's value then keeps the way
  /// to recompute it instead of the value itself.
  let recompute: (@Sendable () -> Tensor)?

  init(
    shape: [Int], inputs: [GraphNode], rule: BackwardRule?, requiresGradient: Bool,
    savedInputs: [SavedTensor?] = [], savedOutput: Tensor? = nil,
    slicePosition: (axis: Int, offset: Int)? = nil, recompute: (@Sendable () -> Tensor)? = nil
  ) {
    self.id = nodeCounter.wrappingAdd(1, ordering: .relaxed).newValue
    self.shape = shape
    self.inputs = inputs
    self.rule = rule
    self.requiresGradient = requiresGradient
    self.savedInputs = savedInputs
    self.savedOutput = savedOutput
    self.slicePosition = slicePosition
    self.recompute = recompute
  }

  deinit {
    // Releasing `inputs` normally would recurse once per node of a chain; a
    // 64-step unroll has hundreds of thousands. Take over the inputs of every
    // node this one holds the last reference to, and release them flat.
    guard !inputs.isEmpty else { return }
    var pending = inputs
    inputs = []
    while var node = pending.popLast() {
      if isKnownUniquelyReferenced(&node) {
        pending.append(contentsOf: node.inputs)
        node.inputs = []
      }
    }
  }
}

extension Variable {
  /// Records the result of an operation.
  ///
  /// When recording is off, or no input requires a gradient, the result is a
  /// constant and `rule` is dropped.
  ///
  /// ```swift
  /// // cube(x) = x³; the rule reads the input, so the node keeps it.
  /// func cube(_ x: Variable) -> Variable {
  ///   Variable.recording(x.value * x.value * x.value, inputs: [x], saving: .inputs([0])) { c in
  ///     [c.upstream * c.inputs[0].squared() * 3]
  ///   }
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - value: The operation's result.
  ///   - inputs: The operands that gradients may flow to.
  ///   - saved: The values `rule` reads through its context: the graph node
  ///     keeps these and nothing else, so intermediate results that no rule
  ///     reads are freed as soon as no variable holds them. Every input and
  ///     the output by default. Constants a rule needs (shapes, index maps,
  ///     masks) can instead be captured by the closure.
  ///   - rule: How to compute the operands' gradients from the output's.
  public static func recording(
    _ value: Tensor, inputs: [Variable], saving saved: SavedValues = .all, rule: @escaping BackwardRule
  ) -> Variable {
    guard GradientRecording.isEnabled, inputs.contains(where: \.requiresGradient) else {
      return Variable(value)
    }
    precondition(saved.inputIndices?.allSatisfy(inputs.indices.contains) ?? true,
                 "saving inputs \(saved.inputIndices ?? []) of an operation with \(inputs.count) inputs")
    let node = GraphNode(
      shape: value.shape, inputs: inputs.map(\.node), rule: rule, requiresGradient: true,
      savedInputs: inputs.indices.map { saved.includesInput($0) ? SavedTensor(inputs[$0]) : nil },
      savedOutput: saved.includesOutput ? value : nil)
    return Variable(node: node, value: value)
  }

  /// Records a slice of `input` along `axis` starting at `offset`, whose
  /// gradient the engine may add into the input's gradient in place (see
  /// `GraphNode.slicePosition`); `rule` must compute the same gradient as a
  /// full-size tensor, for recorded (higher-order) backward passes, and reads
  /// no saved value.
  internal static func recordingSlice(
    _ value: Tensor, of input: Variable, axis: Int, offset: Int, rule: @escaping BackwardRule
  ) -> Variable {
    guard GradientRecording.isEnabled, input.requiresGradient else { return Variable(value) }
    let node = GraphNode(
      shape: value.shape, inputs: [input.node], rule: rule, requiresGradient: true,
      savedInputs: [nil], slicePosition: (axis, offset))
    return Variable(node: node, value: value)
  }
}

extension Variable {
  /// Records `compute(input.value)`, an operation of one input whose result
  /// is cheap to compute again and larger than the input (nearest
  /// upsampling, padding): rules of later operations that read this result
  /// keep the way to compute it — and so the smaller input — instead of the
  /// result. `rule` reads no saved value.
  internal static func recordingRecomputable(
    of input: Variable, computing compute: @escaping @Sendable (Tensor) -> Tensor,
    rule: @escaping BackwardRule
  ) -> Variable {
    let source = input.value
    let value = compute(source)
    guard GradientRecording.isEnabled, input.requiresGradient else { return Variable(value) }
    let node = GraphNode(
      shape: value.shape, inputs: [input.node], rule: rule, requiresGradient: true,
      savedInputs: [nil], recompute: { compute(source) })
    return Variable(node: node, value: value)
  }
}

/// A value a graph node keeps for its backward rule: the tensor, or how to
/// compute it again.
internal enum SavedTensor: @unchecked Sendable {
  case stored(Tensor)
  case recomputed(@Sendable () -> Tensor)

  init(_ variable: Variable) {
    if let recompute = variable.node.recompute {
      self = .recomputed(recompute)
    } else {
      self = .stored(variable.value)
    }
  }

  var tensor: Tensor {
    switch self {
    case .stored(let tensor): tensor
    case .recomputed(let recompute): recompute()
    }
  }
}
