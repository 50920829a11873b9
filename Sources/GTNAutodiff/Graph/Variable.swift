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
/// to it, and freeing a long chain never recurses.
public struct Variable: @unchecked Sendable {
  @usableFromInline
  internal let node: GraphNode

  internal init(node: GraphNode) { self.node = node }

  /// Creates a leaf variable.
  ///
  /// - Parameters:
  ///   - value: The tensor.
  ///   - requiresGradient: Whether gradients with respect to this variable
  ///     are wanted; operations on a variable that requires none are not
  ///     recorded.
  public init(_ value: Tensor, requiresGradient: Bool = false) {
    node = GraphNode(value: value, inputs: [], rule: nil, requiresGradient: requiresGradient)
  }

  /// Creates a scalar constant.
  public init(_ value: Float) { self.init(Tensor(value)) }

  /// The computed value.
  public var value: Tensor { node.value }

  /// The shape of the value.
  public var shape: [Int] { node.value.shape }

  /// The number of dimensions.
  public var rank: Int { node.value.shape.count }

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
public struct BackwardContext {
  /// The operation's inputs, in the order they were recorded.
  public let inputs: [Variable]
  /// The operation's output.
  public let output: Variable
  /// The gradient of the differentiated quantity with respect to `output`.
  public let upstream: Variable
  let needed: [Bool]

  /// Whether the gradient of input `index` is wanted; a rule may skip the
  /// work for inputs that are not.
  public func needsGradient(_ index: Int) -> Bool { needed[index] }
}

/// Node identifiers come from one atomic counter, so they increase along any
/// path of the graph.
private let nodeCounter = Atomic<Int>(0)

@usableFromInline
internal final class GraphNode: @unchecked Sendable {
  let id: Int
  let value: Tensor
  let requiresGradient: Bool
  let rule: BackwardRule?
  /// For a slice of its one input: where the slice lies. When no graph is
  /// recorded, ``gradients(of:withRespectTo:retainingGraph:seed:)`` adds the
  /// slice's gradient into that part of the input's gradient in place
  /// instead of running `rule` (which embeds it into zeros of the input's
  /// size: one full-size buffer per slice).
  let slicePosition: (axis: Int, offset: Int)?
  /// Only ever emptied, by `deinit`, to free long chains iteratively.
  var inputs: [GraphNode]

  init(
    value: Tensor, inputs: [GraphNode], rule: BackwardRule?, requiresGradient: Bool,
    slicePosition: (axis: Int, offset: Int)? = nil
  ) {
    self.id = nodeCounter.wrappingAdd(1, ordering: .relaxed).newValue
    self.value = value
    self.inputs = inputs
    self.rule = rule
    self.requiresGradient = requiresGradient
    self.slicePosition = slicePosition
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
  /// - Parameters:
  ///   - value: The operation's result.
  ///   - inputs: The operands that gradients may flow to.
  ///   - rule: How to compute the operands' gradients from the output's.
  public static func recording(
    _ value: Tensor, inputs: [Variable], rule: @escaping BackwardRule
  ) -> Variable {
    guard GradientRecording.isEnabled, inputs.contains(where: \.requiresGradient) else {
      return Variable(value)
    }
    return Variable(
      node: GraphNode(value: value, inputs: inputs.map(\.node), rule: rule, requiresGradient: true))
  }

  /// Records a slice of `input` along `axis` starting at `offset`, whose
  /// gradient the engine may add into the input's gradient in place (see
  /// `GraphNode.slicePosition`); `rule` must compute the same gradient as a
  /// full-size tensor, for recorded (higher-order) backward passes.
  internal static func recordingSlice(
    _ value: Tensor, of input: Variable, axis: Int, offset: Int, rule: @escaping BackwardRule
  ) -> Variable {
    guard GradientRecording.isEnabled, input.requiresGradient else { return Variable(value) }
    return Variable(
      node: GraphNode(
        value: value, inputs: [input.node], rule: rule, requiresGradient: true,
        slicePosition: (axis, offset)))
  }
}
