/// The learner a ``CellArchitecture`` describes: a stem convolution, cells
/// stacked by ``CellSearchSpace``'s blueprint, global average pooling and a
/// linear classifier.
///
/// Like every `Learner` it holds no weights; its parameter list is the
/// stem's, then each cell's (its input preprocessing, its branches in node
/// order, its output projection), then the classifier's.
public struct CellNetwork: Learner {
  /// One instance of a cell in the stack.
  struct Block: Sendable {
    var cell: CellArchitecture.Cell
    /// The layers of the two input preprocessings (nil when the input is
    /// unread), the branches in node order, and the output projection.
    var preprocessing: [(any Layer)?]
    var branches: [any Layer]
    var projection: any Layer
    var outputNodes: [Int]

    var layers: [any Layer] { preprocessing.compactMap { $0 } + branches + [projection] }
    var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// The cell's output for inputs `h(k−2)` and `h(k−1)`.
    func callAsFunction(_ previousPrevious: Variable, _ previous: Variable, parameters: ArraySlice<Variable>) -> Variable {
      var start = parameters.startIndex
      func apply(_ layer: any Layer, _ x: Variable) -> Variable {
        let end = start + layer.parameterCount
        defer { start = end }
        return layer(x, parameters: parameters[start..<end])
      }
      var states: [Variable?] = [nil, nil]
      for (i, input) in [previousPrevious, previous].enumerated() {
        if let layer = preprocessing[i] { states[i] = apply(layer, input) }
      }
      var branch = 0
      for node in cell.nodes {
        var sum: Variable? = nil
        for b in node.branches {
          let y = apply(branches[branch], states[b.input]!)
          branch += 1
          sum = sum.map { $0 + y } ?? y
        }
        states.append(sum!)
      }
      let outputs = outputNodes.map { states[$0 + 2]! }
      let concatenated = outputs.count == 1 ? outputs[0] : Variable.concatenating(outputs, alongAxis: 1)
      return apply(projection, concatenated)
    }
  }

  var stem: any Layer
  var blocks: [Block]
  var head: any Layer

  public var parameterCount: Int {
    stem.parameterCount + blocks.reduce(0) { $0 + $1.parameterCount } + head.parameterCount
  }

  public func makeParameters(using generator: inout some RandomNumberGenerator) -> [Tensor] {
    var result = stem.makeParameters(using: &generator)
    for block in blocks {
      for layer in block.layers { result += layer.makeParameters(using: &generator) }
    }
    return result + head.makeParameters(using: &generator)
  }

  public func callAsFunction(_ input: Variable, parameters: ArraySlice<Variable>) -> Variable {
    precondition(parameters.count == parameterCount, "CellNetwork needs \(parameterCount) parameters, got \(parameters.count)")
    var start = parameters.startIndex
    func next(_ count: Int) -> ArraySlice<Variable> {
      defer { start += count }
      return parameters[start..<(start + count)]
    }
    let s = stem(input, parameters: next(stem.parameterCount))
    var (previousPrevious, previous) = (s, s)
    for block in blocks {
      let output = block(previousPrevious, previous, parameters: next(block.parameterCount))
      (previousPrevious, previous) = (previous, output)
    }
    return head(previous, parameters: next(head.parameterCount))
  }
}
