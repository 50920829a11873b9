import Foundation
import GTNSearch
import Testing

/// A deterministic, instant evaluator: wider and deeper scores higher.
private struct CapacityScore: ArchitectureEvaluator {
  func score(_ learner: any Learner, seed: UInt64) -> Double { Double(learner.parameterCount) + Double(seed % 7) * 1e-3 }
}

private func temporaryLog() -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("gtn-search-\(UInt64.random(in: 0...UInt64.max)).jsonl")
}

struct MacroSearchSpaceTests {
  let space = MacroSearchSpace()

  @Test func encodingRoundTrips() throws {
    var rng = SplitMix64(seed: 1)
    for _ in 0..<50 {
      let a = space.sample(using: &rng)
      #expect(space.architecture(decoding: space.encoding(of: a)) == a)
      let json = try JSONEncoder().encode(a)
      #expect(try JSONDecoder().decode(MacroSearchSpace.Architecture.self, from: json) == a)
    }
    #expect(space.architecture(decoding: "c16k3p-x") == nil)
    #expect(space.architecture(decoding: "") == nil)
  }

  @Test func samplingAndMutationAreSeededAndLegal() {
    var a = SplitMix64(seed: 5)
    var b = SplitMix64(seed: 5)
    let first = (0..<20).map { _ in space.sample(using: &a) }
    #expect(first == (0..<20).map { _ in space.sample(using: &b) })
    var rng = SplitMix64(seed: 9)
    var current = first[0]
    for _ in 0..<200 {
      let next = space.mutate(current, using: &rng)
      #expect(space.depths.contains(next.blocks.count))
      #expect(next.blocks.filter(\.pools).count <= 2)  // 28 → 14 → 7
      #expect(next != current, "mutate returned its parent \(space.encoding(of: current))")
      current = next
    }
  }

  /// A mutation changes the architecture even where most moves cannot: a
  /// one-block space with a single width and kernel size whose block already
  /// pools, and pooling that the image size caps.
  @Test func mutationNeverReturnsItsParent() {
    var rng = SplitMix64(seed: 3)
    let narrow = MacroSearchSpace(depths: 1...1, widths: [32], kernelSizes: [3], imageSize: 28)
    let c32k3 = narrow.architecture(decoding: "c32k3")!
    for _ in 0..<50 { #expect(narrow.encoding(of: narrow.mutate(c32k3, using: &rng)) == "c32k3p") }
    let capped = MacroSearchSpace(depths: 3...3, widths: [16], kernelSizes: [5], imageSize: 4)
    let parent = capped.architecture(decoding: "c16k5p-c16k5-c16k5")!
    for _ in 0..<50 { #expect(capped.mutate(parent, using: &rng) != parent) }
    // Nothing else in the space: the parent comes back.
    let single = MacroSearchSpace(depths: 1...1, widths: [8], kernelSizes: [1], imageSize: 1)
    let only = single.architecture(decoding: "c8k1")!
    #expect(single.mutate(only, using: &rng) == only)
  }

  @Test func builtLearnersRunOnImages() {
    var rng = SplitMix64(seed: 2)
    let a = space.architecture(decoding: "c8k3p-c16k5p-c8k1")!
    let learner = space.learner(for: a)
    let p = learner.makeParameters(using: &rng).map { Variable($0) }
    let x = Variable(Tensor(randomNormal: [2, 1, 28, 28], using: &rng))
    #expect(learner(x, parameters: p[...]).shape == [2, 10])
  }

  /// The flattening head sizes its linear layer from the pooled side; the
  /// global-average-pooling head from the channels alone.
  @Test(arguments: [("c8k3p-c16k5p-c8k1", 8 * 7 * 7), ("c4k3", 4 * 28 * 28), ("c4k1p-c2k3", 2 * 14 * 14)])
  func headsSizeTheirClassifier(encoding: String, flattened: Int) {
    var rng = SplitMix64(seed: 3)
    let x = Variable(Tensor(randomNormal: [3, 1, 28, 28], using: &rng))
    for (head, features) in [(MacroSearchSpace.Head.flatten, flattened), (.globalAveragePool, nil)] {
      let space = MacroSearchSpace(head: head)
      let a = space.architecture(decoding: encoding)!
      let learner = space.learner(for: a)
      let parameters = learner.makeParameters(using: &rng)
      // The classifier's weight is the last matrix: [10, features].
      let weight = parameters.last { $0.rank == 2 }!
      #expect(weight.shape == [10, features ?? a.blocks.last!.width])
      #expect(learner(x, parameters: parameters.map { Variable($0) }[...]).shape == [3, 10])
    }
  }
}

struct ArchitectureSearchTests {
  let space = MacroSearchSpace()

  @Test func strategiesAreDeterministicGivenTheSeed() throws {
    for seed: UInt64 in [1, 2] {
      let random = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: CapacityScore(), seed: seed)
      let evolution = ArchitectureSearch(
        space: space, strategy: RegularizedEvolution<MacroSearchSpace>(populationSize: 5, sampleSize: 2),
        evaluator: CapacityScore(), seed: seed)
      #expect(try random.run(budget: .evaluations(12)).map(\.encoding) == random.run(budget: .evaluations(12)).map(\.encoding))
      let a = try evolution.run(budget: .evaluations(30))
      let b = try evolution.run(budget: .evaluations(30))
      #expect(a.map(\.encoding) == b.map(\.encoding))
    }
  }

  @Test func evolutionImprovesOnRandomSearchForASimpleObjective() throws {
    let random = try ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: CapacityScore(), seed: 3)
      .run(budget: .evaluations(60))
    let evolution = try ArchitectureSearch(
      space: space, strategy: RegularizedEvolution<MacroSearchSpace>(populationSize: 10, sampleSize: 4),
      evaluator: CapacityScore(), seed: 3
    ).run(budget: .evaluations(60))
    // Evolution's later candidates are, on average, better than random ones.
    let late = evolution.suffix(20).map(\.score).reduce(0, +)
    let randomLate = random.suffix(20).map(\.score).reduce(0, +)
    #expect(late > randomLate)
  }

  @Test func budgetsAreCountedInEvaluationsAndSeconds() throws {
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: CapacityScore(), seed: 4)
    #expect(try search.run(budget: .evaluations(7)).count == 7)
    let timed = try search.run(budget: .seconds(0.01))
    #expect(!timed.isEmpty)
    #expect(timed.dropLast().reduce(0) { $0 + $1.seconds } < 0.01)
  }

  @Test func interruptedSearchResumesIdentically() throws {
    let log = temporaryLog()
    defer { try? FileManager.default.removeItem(at: log) }
    let search = ArchitectureSearch(
      space: space, strategy: RegularizedEvolution<MacroSearchSpace>(populationSize: 5, sampleSize: 2),
      evaluator: CapacityScore(), seed: 8)
    let straight = try search.run(budget: .evaluations(20))
    _ = try search.run(budget: .evaluations(9), log: log)
    // Simulate a kill mid-write: a torn final line.
    let handle = try FileHandle(forWritingTo: log)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("{\"index\":9,\"enc".utf8))
    try handle.close()
    let resumed = try search.run(budget: .evaluations(20), log: log)
    #expect(resumed.map(\.encoding) == straight.map(\.encoding))
    #expect(resumed.map(\.score) == straight.map(\.score))
    #expect(try ArchitectureSearch<RegularizedEvolution<MacroSearchSpace>>.readLog(log).count == straight.count)
    #expect(straight.filter { $0.repeatOf == nil }.count == 20)
  }

  @Test func corruptLogsAreRejectedWithTheirName() throws {
    let log = temporaryLog()
    defer { try? FileManager.default.removeItem(at: log) }
    try Data("not json\n{}\n".utf8).write(to: log)
    let search = ArchitectureSearch(space: space, strategy: RandomSearch<MacroSearchSpace>(), evaluator: CapacityScore(), seed: 1)
    do {
      _ = try search.run(budget: .evaluations(3), log: log)
      Issue.record("a corrupt log was accepted")
    } catch let error as SearchLogError {
      #expect(error.description.contains(log.path))
    }
  }

  @Test func realDataProxyScoresTheArchitectureItIsGiven() {
    var rng = SplitMix64(seed: 6)
    // Two separable classes: bright versus dark images.
    let labels = (0..<64).map { $0 % 2 }
    let images = Tensor(shape: [64, 1, 8, 8]) { buffer in
      for i in 0..<64 { for j in 0..<64 { buffer[i * 64 + j] = (labels[i] == 1 ? 1 : -1) + 0.3 * Float.random(in: -1...1, using: &rng) } }
    }
    let proxy = RealDataProxy(
      images: images, labels: labels, classCount: 2, steps: 20, batchSize: 16, learningRate: 0.05,
      validationImages: images, validationLabels: labels)
    let small = MacroSearchSpace(imageSize: 8, classCount: 2)
    let score = proxy.score(small.learner(for: small.architecture(decoding: "c4k3")!), seed: 1)
    #expect(score > 0.9)
  }
}

struct ConformanceTests {
  @Test func bundledSpaceAndStrategiesConform() {
    let space = MacroSearchSpace()
    #expect(SearchConformance.problems(of: space, sampleImage: [1, 28, 28]) == [])
    #expect(SearchConformance.problems(of: RandomSearch<MacroSearchSpace>(), in: space) == [])
    #expect(SearchConformance.problems(of: RegularizedEvolution<MacroSearchSpace>(populationSize: 5, sampleSize: 3), in: space) == [])
  }

  /// A strategy that ignores its generator's determinism is caught.
  private struct Nondeterministic: SearchStrategy {
    func propose(in space: MacroSearchSpace, history: [SearchRecord<MacroSearchSpace.Architecture>],
                 using generator: inout some RandomNumberGenerator) -> MacroSearchSpace.Architecture {
      var system = SystemRandomNumberGenerator()
      return space.sample(using: &system)
    }
  }

  @Test func aNondeterministicStrategyIsReported() {
    #expect(!SearchConformance.problems(of: Nondeterministic(), in: MacroSearchSpace()).isEmpty)
  }
}

@Test func gradientNormProxyIsDeterministicAndPositive() {
  var rng = SplitMix64(seed: 4)
  let images = Tensor(randomNormal: [8, 1, 8, 8], using: &rng)
  let proxy = GradientNormProxy(images: images, labels: (0..<8).map { $0 % 2 }, initializations: 2)
  let space = MacroSearchSpace(imageSize: 8, classCount: 2)
  let learner = space.learner(for: space.architecture(decoding: "c4k3p-c8k1")!)
  let a = proxy.score(learner, seed: 3)
  #expect(a > 0 && a.isFinite)
  #expect(a == proxy.score(learner, seed: 3))
  #expect(a != proxy.score(learner, seed: 4))
}
