import Foundation
import GTNSearch
import Testing

/// An instant, deterministic evaluator: more parameters score higher.
private struct ParameterCountScore: ArchitectureEvaluator {
  func score(_ learner: any Learner, seed: UInt64) -> Double { Double(learner.parameterCount) + Double(seed % 5) * 1e-3 }
}

/// Every (cell, node, branch) choice of an architecture, flattened.
private func choices(_ a: CellArchitecture) -> [String] {
  [a.normal, a.reduction].flatMap { cell in
    cell.nodes.flatMap { node in node.branches.flatMap { ["in\($0.input)", $0.operation.rawValue] } }
  }
}

struct CellSearchSpaceTests {
  let space = CellSearchSpace()

  @Test func encodingIsReadableAndStable() {
    typealias B = CellArchitecture.Branch
    let normal = CellArchitecture.Cell(nodes: [
      .init(left: B(input: 0, operation: .conv3x3), right: B(input: 1, operation: .averagePool3x3)),
      .init(left: B(input: 1, operation: .identity), right: B(input: 2, operation: .conv5x5)),
    ])
    let reduction = CellArchitecture.Cell(nodes: [
      .init(left: B(input: 0, operation: .maxPool3x3), right: B(input: 0, operation: .conv1x1)),
      .init(left: B(input: 2, operation: .identity), right: B(input: 1, operation: .identity)),
    ])
    let a = CellArchitecture(normal: normal, reduction: reduction)
    let text = "normal:[0,1:conv3x3,avgpool3x3|1,2:identity,conv5x5] reduction:[0,0:maxpool3x3,conv1x1|2,1:identity,identity]"
    #expect(a.description == text)
    #expect(CellArchitecture(encoding: text) == a)
    // Node 0 is read by node 1 in both cells: only node 1 is an output.
    #expect(normal.outputNodes == [1])
    #expect(CellSearchSpace(nodeCount: 2, operations: CellOperation.allCases).architecture(decoding: text) == a)
    #expect(CellSearchSpace(nodeCount: 2).architecture(decoding: text) == nil)  // plain convolutions are not default
    #expect(space.architecture(decoding: text) == nil)  // 2 nodes, the space has 4
  }

  @Test func malformedOrInvalidEncodingsAreRejected() throws {
    let valid = "normal:[0,1:conv3x3,identity] reduction:[1,1:identity,identity]"
    #expect(CellArchitecture(encoding: valid) != nil)
    for text in [
      "", "normal:[] reduction:[]", "normal:[0,1:conv3x3,identity]",
      "normal:[0,2:conv3x3,identity] reduction:[1,1:identity,identity]",  // node 0 reads itself
      "normal:[0,1:sep3x3,identity] reduction:[1,1:identity,identity]",  // unknown operation
      "normal:[0,1:conv3x3] reduction:[1,1:identity,identity]",
      "normal:[0,-1:conv3x3,identity] reduction:[1,1:identity,identity]",
      "reduction:[1,1:identity,identity] normal:[0,1:conv3x3,identity]",
      valid + " ",
    ] {
      #expect(CellArchitecture(encoding: text) == nil, "accepted '\(text)'")
    }
    let space = CellSearchSpace(nodeCount: 1, operations: [.identity, .conv3x3])
    #expect(space.architecture(decoding: valid) != nil)
    #expect(space.architecture(decoding: "normal:[0,1:conv5x5,identity] reduction:[1,1:identity,identity]") == nil)
    // JSON that names a later state is rejected when decoded.
    let json = #"{"normal":{"nodes":[{"left":{"input":3,"operation":"identity"},"right":{"input":0,"operation":"conv1x1"}}]},"reduction":{"nodes":[{"left":{"input":0,"operation":"identity"},"right":{"input":0,"operation":"conv1x1"}}]}}"#
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(CellArchitecture.self, from: Data(json.utf8)) }
  }

  @Test func sampledArchitecturesRoundTripThroughStringsAndJSON() throws {
    for space in [space, CellSearchSpace(nodeCount: 5, operations: CellOperation.allCases), CellSearchSpace(nodeCount: 2, operations: [.conv3x3, .maxPool3x3])] {
      var rng = SplitMix64(seed: 11)
      for _ in 0..<100 {
        let a = space.sample(using: &rng)
        #expect(space.contains(a))
        #expect(a.normal.nodes.count == space.nodeCount && a.reduction.nodes.count == space.nodeCount)
        #expect(space.architecture(decoding: space.encoding(of: a)) == a)
        #expect(CellArchitecture(encoding: a.description) == a)
        let json = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(CellArchitecture.self, from: json) == a)
      }
    }
  }

  @Test func samplingAndMutationAreDeterministicGivenTheSeed() {
    var a = SplitMix64(seed: 3)
    var b = SplitMix64(seed: 3)
    let first = (0..<30).map { _ in space.sample(using: &a) }
    #expect(first == (0..<30).map { _ in space.sample(using: &b) })
    #expect(Set(first).count > 25)  // a large space: samples rarely repeat
    #expect(first.map { space.mutate($0, using: &a) } == first.map { space.mutate($0, using: &b) })
  }

  /// `sample(count:using:)` draws distinct architectures, the first ones
  /// drawn in order, the same given the seed; in a space of four
  /// architectures it draws all four.
  @Test func sampleCountDrawsDistinctArchitectures() {
    var a = SplitMix64(seed: 5)
    var b = SplitMix64(seed: 5)
    let drawn = space.sample(count: 40, using: &a)
    #expect(drawn.count == 40 && Set(drawn).count == 40)
    #expect(space.sample(count: 40, using: &b) == drawn)
    var c = SplitMix64(seed: 5)
    #expect(Array(drawn.prefix(10)) == Array((0..<10).map { _ in space.sample(using: &c) }))
    let tiny = CellSearchSpace(nodeCount: 1, operations: [.identity])
    var rng = SplitMix64(seed: 1)
    // One node reads state 0 or 1 on each branch: 4 cells, 16 architectures.
    #expect(Set(tiny.sample(count: 16, using: &rng)).count == 16)
    var other = SplitMix64(seed: 2)
    #expect(Set(MacroSearchSpace().sample(count: 8, using: &other)).count == 8)
  }

  @Test func mutationChangesExactlyOneChoiceAndStaysInTheSpace() {
    var rng = SplitMix64(seed: 9)
    var current = space.sample(using: &rng)
    var changedKinds = Set<String>()
    for _ in 0..<400 {
      let next = space.mutate(current, using: &rng)
      #expect(space.contains(next))
      let differences = zip(choices(current), choices(next)).enumerated().filter { $0.element.0 != $0.element.1 }
      #expect(differences.count == 1)
      if let d = differences.first {
        let cell = d.offset < choices(current).count / 2 ? "normal" : "reduction"
        changedKinds.insert(cell + (d.element.0.hasPrefix("in") ? "-input" : "-operation"))
      }
      current = next
    }
    #expect(changedKinds == ["normal-input", "normal-operation", "reduction-input", "reduction-operation"])
    // With one operation only inputs can change.
    let single = CellSearchSpace(nodeCount: 3, operations: [.conv3x3])
    var architecture = single.sample(using: &rng)
    for _ in 0..<50 {
      let next = single.mutate(architecture, using: &rng)
      #expect(zip(choices(architecture), choices(next)).filter { $0 != $1 }.count == 1)
      architecture = next
    }
  }

  @Test func builtLearnersMapMNISTAndCIFARBatchesToLogits() {
    var rng = SplitMix64(seed: 2)
    let cifar = CellSearchSpace(inputChannels: 3, imageSize: 32)
    let everyOperation = CellSearchSpace(operations: CellOperation.allCases)
    for (space, image) in [(space, [1, 28, 28]), (cifar, [3, 32, 32]), (everyOperation, [1, 28, 28])] {
      for _ in 0..<2 {
        let learner = space.learner(for: space.sample(using: &rng))
        let p = learner.makeParameters(using: &rng)
        #expect(p.count == learner.parameterCount)
        let x = Variable(Tensor(randomNormal: [2] + image, using: &rng))
        let y = withoutGradientRecording { learner(x, parameters: p.map { Variable($0) }[...]) }
        #expect(y.shape == [2, 10])
        #expect(y.value.scalars.allSatisfy { $0.isFinite })
      }
    }
  }

  @Test func blueprintFollowsTheConfiguration() {
    #expect(space.blueprint == [false, true, false, true])
    #expect(CellSearchSpace(normalCellsPerStage: 0, reductionCount: 3).blueprint == [true, true, true])
    var rng = SplitMix64(seed: 4)
    // Odd sizes and back-to-back reductions: 20 → 10 → 5 → 3.
    for space in [
      CellSearchSpace(initialChannels: 4, normalCellsPerStage: 0, reductionCount: 3, imageSize: 20, classCount: 3),
      CellSearchSpace(nodeCount: 2, initialChannels: 4, normalCellsPerStage: 2, imageSize: 14, classCount: 3),
    ] {
      for _ in 0..<3 {
        let learner = space.learner(for: space.sample(using: &rng))
        let p = learner.makeParameters(using: &rng).map { Variable($0) }
        let x = Variable(Tensor(randomNormal: [2, 1, space.imageSize, space.imageSize], using: &rng))
        #expect(withoutGradientRecording { learner(x, parameters: p[...]) }.shape == [2, 3])
      }
    }
  }

  @Test func innerSGDStepsReduceTheLoss() {
    let small = CellSearchSpace(initialChannels: 4)
    var rng = SplitMix64(seed: 5)
    let images = Tensor(randomNormal: [8, 1, 28, 28], using: &rng)
    let labels = (0..<8).map { $0 % 10 }
    for _ in 0..<2 {
      let learner = small.learner(for: small.sample(using: &rng))
      var theta = learner.makeParameters(using: &rng)
      var losses: [Float] = []
      for _ in 0..<3 {
        let (loss, grads) = valueWithGradients(at: theta) { p in
          crossEntropy(logits: learner(Variable(images), parameters: p[...]), labels: labels)
        }
        losses.append(loss.value.scalars[0])
        theta = zip(theta, grads).map { $0 - $1.value * 0.05 }
      }
      #expect(losses[2] < losses[0], "losses \(losses)")
    }
  }

  @Test func searchStrategiesRunOverTheCellSpace() throws {
    let space = CellSearchSpace(initialChannels: 4)
    let random = ArchitectureSearch(space: space, strategy: RandomSearch<CellSearchSpace>(), evaluator: ParameterCountScore(), seed: 1)
    let evolution = ArchitectureSearch(
      space: space, strategy: RegularizedEvolution<CellSearchSpace>(populationSize: 4, sampleSize: 2),
      evaluator: ParameterCountScore(), seed: 1)
    let a = try random.run(budget: .evaluations(6))
    #expect(try a.map(\.encoding) == random.run(budget: .evaluations(6)).map(\.encoding))
    let b = try evolution.run(budget: .evaluations(10))
    #expect(b.count == 10)
    #expect(try b.map(\.encoding) == evolution.run(budget: .evaluations(10)).map(\.encoding))
    for record in a + b {
      #expect(space.architecture(decoding: record.encoding) == record.architecture)
    }
  }

  @Test func spaceAndStrategiesConform() {
    #expect(SearchConformance.problems(of: space, sampleImage: [1, 28, 28]) == [])
    #expect(SearchConformance.problems(of: CellSearchSpace(inputChannels: 3, imageSize: 32), sampleImage: [3, 32, 32], trials: 5) == [])
    #expect(SearchConformance.problems(of: RandomSearch<CellSearchSpace>(), in: space) == [])
    #expect(SearchConformance.problems(of: RegularizedEvolution<CellSearchSpace>(populationSize: 5, sampleSize: 3), in: space) == [])
  }
}
