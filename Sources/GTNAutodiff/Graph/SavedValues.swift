/// The values a recorded operation's backward rule reads: which inputs, and
/// whether the output.
///
/// A graph node keeps exactly these tensors until the node is freed; every
/// other intermediate result is freed as soon as no variable holds it. A
/// sum reads nothing (its gradient is the upstream gradient, summed back to
/// each operand's shape), a product reads both operands, `tanh` reads its
/// output. Tensors are copy-on-write values, so saving a tensor that another
/// node or variable also holds costs no memory.
///
/// Choosing what to save decides a recorded graph's memory: the unrolled
/// inner loop of a meta-training step keeps a node for every operation of
/// every inner step, and most intermediate results (sums, reshapes, the
/// inputs of activations and pooling) are read by no rule.
public struct SavedValues: Sendable, Equatable {
  /// The indices of the saved inputs, or `nil` for every input.
  @usableFromInline
  internal var inputIndices: [Int]?
  /// Whether the output is saved.
  public var includesOutput: Bool

  /// Every input and the output: what a rule may read when nothing is said.
  public static let all = SavedValues(inputIndices: nil, includesOutput: true)

  /// Nothing: the rule reads neither the inputs' values nor the output's
  /// (it may still use `upstream` and constants it captured).
  public static let none = SavedValues(inputIndices: [], includesOutput: false)

  /// The output only.
  public static let output = SavedValues(inputIndices: [], includesOutput: true)

  /// The inputs at `indices`, and the output if `output` is `true`.
  public static func inputs(_ indices: [Int], output: Bool = false) -> SavedValues {
    SavedValues(inputIndices: indices, includesOutput: output)
  }

  /// Whether input `index` is saved.
  public func includesInput(_ index: Int) -> Bool {
    inputIndices?.contains(index) ?? true
  }
}
