/// Computes the gradients of a quantity with respect to other variables by
/// reverse-mode differentiation of the recorded graph.
///
/// The graph is traversed iteratively (no recursion, whatever its depth) in
/// decreasing node id, which is a reverse topological order. Only the part of
/// the graph that lies between `of` and `withRespectTo` is visited.
///
/// With `retainingGraph: true` the backward rules run with recording on, so
/// the returned gradients are themselves differentiable: this is how second-
/// order terms (e.g. a GTN's meta-gradient through unrolled SGD steps) are
/// obtained. With `false` (the default) the gradients are constants and
/// nothing extra is kept alive.
///
/// ```swift
/// let w = Variable(Tensor(randomNormal: [4, 3], using: &rng), requiresGradient: true)
/// let loss = matmul(x, w).tanh().sum()
/// let dw = gradients(of: loss, withRespectTo: [w])[0]
/// ```
///
/// - Parameters:
///   - output: The quantity to differentiate. Usually a scalar; otherwise
///     `seed` gives the vector in the vector–Jacobian product.
///   - variables: The variables to differentiate with respect to; leaves or
///     intermediate results alike.
///   - retainingGraph: Whether to record the backward computation so the
///     gradients can be differentiated again.
///   - seed: The gradient with respect to `output`; ones by default.
/// - Returns: One gradient per variable, each with that variable's shape
///   (zeros where `output` does not depend on it).
/// - Complexity: O(size of the graph between `output` and `variables`) plus
///   the cost of the backward rules, about twice the forward cost.
public func gradients(
  of output: Variable, withRespectTo variables: [Variable],
  retainingGraph: Bool = false, seed: Variable? = nil
) -> [Variable] {
  // Zeros only for the variables that get no gradient (allocated on demand:
  // an inner step's gradient would otherwise clear a parameter-sized buffer
  // per variable per call).
  func zeros() -> [Variable] { variables.map { Variable(Tensor(zeros: $0.shape)) } }
  guard output.requiresGradient else { return zeros() }
  if let seed {
    precondition(seed.shape == output.shape, "gradient seed has shape \(seed.shape), output has \(output.shape)")
  }

  // 1. Collect the recorded part of the graph above `output`, iteratively.
  //    Ids increase along every path, so a node older than the oldest wanted
  //    variable cannot lead to one: the walk stops there. (Inside an unrolled
  //    loop this keeps each inner gradient's walk to its own step instead of
  //    the whole history.)
  let oldestWanted = variables.map(\.node.id).min() ?? Int.max
  var nodes: [GraphNode] = []
  var visited: Set<ObjectIdentifier> = []
  var stack: [GraphNode] = [output.node]
  visited.insert(ObjectIdentifier(output.node))
  while let node = stack.popLast() {
    nodes.append(node)
    for input in node.inputs where input.requiresGradient && input.id >= oldestWanted {
      if visited.insert(ObjectIdentifier(input)).inserted { stack.append(input) }
    }
  }
  nodes.sort { $0.id < $1.id }

  // 2. Keep only nodes from which a wanted variable can be reached.
  let wanted = Set(variables.map { ObjectIdentifier($0.node) })
  var relevant: Set<ObjectIdentifier> = []
  for node in nodes {  // ascending id: inputs come before their users
    let key = ObjectIdentifier(node)
    if wanted.contains(key) || node.inputs.contains(where: { relevant.contains(ObjectIdentifier($0)) }) {
      relevant.insert(key)
    }
  }
  guard relevant.contains(ObjectIdentifier(output.node)) else { return zeros() }

  // 3. Propagate in decreasing id order, accumulating gradients per node.
  var accumulated: [ObjectIdentifier: Variable] = [:]
  var results: [ObjectIdentifier: Variable] = [:]
  GradientRecording.$isEnabled.withValue(retainingGraph) {
    accumulated[ObjectIdentifier(output.node)] = seed ?? Variable(Tensor(ones: output.shape))
    for node in nodes.reversed() {
      let key = ObjectIdentifier(node)
      guard relevant.contains(key), let upstream = accumulated.removeValue(forKey: key) else { continue }
      if wanted.contains(key) { results[key] = upstream }
      guard let rule = node.rule else { continue }
      let needed = node.inputs.map { relevant.contains(ObjectIdentifier($0)) }
      guard needed.contains(true) else { continue }
      if !retainingGraph, let position = node.slicePosition {
        // A slice: add its gradient into that part of the input's gradient,
        // in place (see `GraphNode.slicePosition`).
        let inputKey = ObjectIdentifier(node.inputs[0])
        var sum = accumulated.removeValue(forKey: inputKey)?.value ?? Tensor(zeros: node.inputs[0].shape)
        sum.add(upstream.value, alongAxis: position.axis, at: position.offset)
        accumulated[inputKey] = Variable(sum)
        continue
      }
      let context = BackwardContext(
        inputs: BackwardContext.Inputs(nodes: node.inputs, values: node.savedInputs),
        savedOutput: node.savedOutput.map { Variable(node: node, value: $0) },
        upstream: upstream, needed: needed)
      let inputGradients = rule(context)
      precondition(inputGradients.count == node.inputs.count, "backward rule returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
      for (input, gradient) in zip(node.inputs, inputGradients) {
        guard let gradient, relevant.contains(ObjectIdentifier(input)) else { continue }
        precondition(gradient.shape == input.shape, "backward rule gave a gradient of shape \(gradient.shape) for an input of shape \(input.shape)")
        let inputKey = ObjectIdentifier(input)
        if retainingGraph, let existing = accumulated[inputKey] {
          accumulated[inputKey] = existing + gradient
        } else if accumulated[inputKey] != nil {
          // Not recording: sum in place. The removed entry usually held the
          // only reference to its buffer, so `add` writes into it instead of
          // allocating a third tensor (copy-on-write keeps it correct when
          // a rule handed out a shared value).
          var sum = accumulated.removeValue(forKey: inputKey)!.value
          sum.add(gradient.value)
          accumulated[inputKey] = Variable(sum)
        } else {
          accumulated[inputKey] = gradient
        }
      }
    }
  }
  return variables.map { variable in
    results[ObjectIdentifier(variable.node)] ?? Variable(Tensor(zeros: variable.shape))
  }
}

/// The gradient of a scalar-valued function at a point, with the function's
/// value.
///
/// ```swift
/// let (loss, g) = valueWithGradients(at: [w, b]) { p in lossFunction(p[0], p[1]) }
/// let (dw, db) = (g[0], g[1])
/// ```
public func valueWithGradients(
  at points: [Tensor], retainingGraph: Bool = false, of function: ([Variable]) -> Variable
) -> (value: Variable, gradients: [Variable]) {
  let variables = points.map { Variable($0, requiresGradient: true) }
  let value = function(variables)
  return (value, gradients(of: value, withRespectTo: variables, retainingGraph: retainingGraph))
}
