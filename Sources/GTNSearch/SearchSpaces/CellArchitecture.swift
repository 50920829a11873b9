/// A point of ``CellSearchSpace``: a normal cell and a reduction cell, each a
/// small directed acyclic graph, in the style of NASNet (Zoph et al. 2018)
/// and ENAS (Pham et al. 2018).
///
/// A cell reads two inputs — the outputs of the previous two cells, `h(k−2)`
/// (state 0) and `h(k−1)` (state 1) — and computes its nodes in order. Node
/// `i` (state `i + 2`) takes two earlier states, applies one operation to
/// each and adds the results. The cell's output concatenates the nodes that
/// no other node of the cell reads, projected back to the cell's width.
///
/// The ``description`` is the stable encoding, one `a,b:opA,opB` group per
/// node (inputs, then operations), nodes separated by `|`:
///
/// ```
/// normal:[0,1:conv3x3,avgpool3x3|1,2:identity,conv5x5] reduction:[0,0:maxpool3x3,conv1x1|2,1:identity,identity]
/// ```
///
/// ``init(encoding:)`` parses it back, and the JSON form (`Codable`) names
/// every field.
public struct CellArchitecture: Codable, Hashable, Sendable, CustomStringConvertible {
  /// One input of a node: which earlier state it reads and what it applies.
  public struct Branch: Codable, Hashable, Sendable {
    /// The state read: 0 is `h(k−2)`, 1 is `h(k−1)`, `j + 2` is node `j`.
    public var input: Int
    /// The operation applied to it.
    public var operation: CellOperation

    public init(input: Int, operation: CellOperation) {
      self.input = input
      self.operation = operation
    }
  }

  /// A node: the sum of its two branches.
  public struct Node: Codable, Hashable, Sendable {
    public var left: Branch
    public var right: Branch

    public init(left: Branch, right: Branch) {
      self.left = left
      self.right = right
    }

    /// Both branches, left first.
    public var branches: [Branch] { [left, right] }
  }

  /// A cell: its nodes, computed in order.
  public struct Cell: Codable, Hashable, Sendable, CustomStringConvertible {
    public var nodes: [Node]

    public init(nodes: [Node]) { self.nodes = nodes }

    /// Whether every node reads only the cell's inputs and earlier nodes and
    /// the cell has at least one node.
    public var isValid: Bool {
      !nodes.isEmpty && nodes.indices.allSatisfy { i in
        nodes[i].branches.allSatisfy { (0..<(i + 2)).contains($0.input) }
      }
    }

    /// The nodes (by index) that no node of the cell reads: the cell's
    /// output concatenates them. Never empty for a valid cell — the last
    /// node is always among them.
    public var outputNodes: [Int] {
      let read = Set(nodes.flatMap { $0.branches.map(\.input) })
      return nodes.indices.filter { !read.contains($0 + 2) }
    }

    /// Which of the two cell inputs (0 = `h(k−2)`, 1 = `h(k−1)`) some node reads.
    var readsInput: [Bool] {
      let read = Set(nodes.flatMap { $0.branches.map(\.input) })
      return [read.contains(0), read.contains(1)]
    }

    /// `a,b:opA,opB|…`.
    public var description: String {
      nodes.map { "\($0.left.input),\($0.right.input):\($0.left.operation.rawValue),\($0.right.operation.rawValue)" }
        .joined(separator: "|")
    }

    /// Parses ``description``; `nil` when malformed or invalid.
    init?(nodesText text: Substring) {
      var nodes: [Node] = []
      for part in text.split(separator: "|", omittingEmptySubsequences: false) {
        let halves = part.split(separator: ":", omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let inputs = halves[0].split(separator: ",", omittingEmptySubsequences: false)
        let operations = halves[1].split(separator: ",", omittingEmptySubsequences: false)
        guard inputs.count == 2, operations.count == 2,
          let a = Int(inputs[0]), let b = Int(inputs[1]),
          let opA = CellOperation(rawValue: String(operations[0])), let opB = CellOperation(rawValue: String(operations[1]))
        else { return nil }
        nodes.append(Node(left: Branch(input: a, operation: opA), right: Branch(input: b, operation: opB)))
      }
      self.init(nodes: nodes)
      guard isValid else { return nil }
    }
  }

  /// The cell that keeps the resolution.
  public var normal: Cell
  /// The cell that halves the resolution and doubles the width.
  public var reduction: Cell

  public init(normal: Cell, reduction: Cell) {
    self.normal = normal
    self.reduction = reduction
  }

  /// `normal:[…] reduction:[…]`, see the type's documentation.
  public var description: String { "normal:[\(normal)] reduction:[\(reduction)]" }

  /// Parses a ``description``; `nil` unless it is one of a valid
  /// architecture.
  public init?(encoding text: String) {
    let parts = text.split(separator: " ", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return nil }
    func cell(_ part: Substring, named name: String) -> Cell? {
      let prefix = name + ":["
      guard part.hasPrefix(prefix), part.hasSuffix("]") else { return nil }
      return Cell(nodesText: part.dropFirst(prefix.count).dropLast())
    }
    guard let normal = cell(parts[0], named: "normal"), let reduction = cell(parts[1], named: "reduction") else { return nil }
    self.init(normal: normal, reduction: reduction)
  }

  private enum CodingKeys: String, CodingKey { case normal, reduction }

  /// Decodes and validates: a cell whose node reads a later or non-existent
  /// state is a `DecodingError.dataCorrupted`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    normal = try container.decode(Cell.self, forKey: .normal)
    reduction = try container.decode(Cell.self, forKey: .reduction)
    for (cell, key) in [(normal, CodingKeys.normal), (reduction, .reduction)] where !cell.isValid {
      throw DecodingError.dataCorruptedError(
        forKey: key, in: container,
        debugDescription: "cell '\(cell)' is invalid: it needs at least one node, and node i may read only states 0..<(i + 2)")
    }
  }
}
