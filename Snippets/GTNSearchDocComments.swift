// The samples in GTNSearch's doc comments (`/// ```swift` blocks), compiled
// by `swift build` and checked against the sources by
// DocumentationSampleTests. Lines between `snippet.hide` and `snippet.show`
// set up what a sample takes as given.

import Foundation
import GTNSearch
import Testing

// snippet.hide
/// A cheap stand-in for a GTN proxy: the learner's parameter count, fewer is better.
struct SizeProxy: ArchitectureEvaluator {
  func score(_ learner: any Learner, seed: UInt64) -> Double { -Double(learner.parameterCount) }
}
let proxy = SizeProxy()

typealias MySpace = MacroSearchSpace
// snippet.show

// MARK: Conformance/SearchConformance.swift

@Test func mySpaceConforms() {
  #expect(SearchConformance.problems(of: MySpace(), sampleImage: [1, 28, 28]).isEmpty)
}

// MARK: Evaluators/JacobianCovarianceProxy.swift

func jacobianCovarianceProxy() {
  // snippet.hide
  var rng = SplitMix64(seed: 2)
  let batch = (images: Tensor(randomNormal: [8, 1, 28, 28], using: &rng), labels: (0..<8).map { $0 % 10 })
  // snippet.show
  let proxy = JacobianCovarianceProxy(images: batch.images)
  let score = proxy.score(Sequential.mlpLearner(), seed: 1)
  // snippet.hide
  print(score)
}

// MARK: Evaluators/SynFlowProxy.swift

func synflowProxy() {
  let proxy = SynFlowProxy(imageShape: [1, 28, 28])
  let score = proxy.score(Sequential.mlpLearner(), seed: 1)
  // snippet.hide
  print(score)
}

// MARK: SearchSpaces/CellSearchSpace.swift

func cellSearchSpace() {
  let space = CellSearchSpace()
  var rng = SplitMix64(seed: 1)
  let architecture = space.sample(using: &rng)
  print(space.encoding(of: architecture))
  // normal:[1,1:maxpool3x3,sepconv3x3|…] reduction:[1,1:maxpool3x3,avgpool3x3|…]
  let learner = space.learner(for: architecture)
  // snippet.hide
  print(learner.parameterCount)
}

// MARK: SearchSpaces/MacroSearchSpace.swift

func macroSearchSpace() {
  let space = MacroSearchSpace()
  var rng = SplitMix64(seed: 1)
  let architecture = space.sample(using: &rng)
  print(space.encoding(of: architecture))   // "c32k5-c16k5-c32k1p"
  let learner = space.learner(for: architecture)
  // snippet.hide
  print(learner.parameterCount)
}

// MARK: SearchSpaces/SearchSpace+Sampling.swift

func sampleCount() {
  let space = CellSearchSpace(inputChannels: 3, imageSize: 32)
  var rng = SplitMix64(seed: 7)
  let learners = space.sample(count: 16, using: &rng).map(space.learner(for:))
  // snippet.hide
  print(learners.count)
}

// MARK: Statistics/RankCorrelation.swift

func rankCorrelation() {
  let proxy = [0.61, 0.72, 0.55, 0.80]
  let truth = [0.90, 0.93, 0.91, 0.95]
  let rho = RankCorrelation.spearman(proxy, truth)     // 0.8
  let tau = RankCorrelation.kendallTauB(proxy, truth)  // 0.666…
  // snippet.hide
  print(rho!, tau!)
}

// MARK: Statistics/RankCorrelation+Bootstrap.swift

func bootstrapInterval() {
  var rng = SplitMix64(seed: 1)
  let proxy: [Double] = [0.61, 0.72, 0.55, 0.80, 0.66, 0.70, 0.58, 0.75]
  let truth: [Double] = [0.90, 0.93, 0.91, 0.95, 0.92, 0.90, 0.89, 0.94]
  let interval = RankCorrelation.bootstrapInterval(proxy, truth, using: &rng, statistic: RankCorrelation.spearman)
  // ρ = 0.79, and with 8 pairs the 95% interval is wide
  // snippet.hide
  print(interval!)
}

// MARK: Strategies/ArchitectureSearch.swift

func architectureSearch() throws {
  let search = ArchitectureSearch(space: MacroSearchSpace(), strategy: RegularizedEvolution(),
                                  evaluator: proxy, seed: 7)
  let records = try search.run(budget: .evaluations(100), log: URL(fileURLWithPath: "search.jsonl"))
  let best = records.max { $0.score < $1.score }!
  // snippet.hide
  print(best.encoding)
}

// MARK: Strategies/SearchStrategy.swift

struct MutateBest<Space: SearchSpace>: SearchStrategy {
  func propose(in space: Space, history: [SearchRecord<Space.Architecture>],
               using generator: inout some RandomNumberGenerator) -> Space.Architecture {
    guard let best = history.max(by: { $0.score < $1.score }) else { return space.sample(using: &generator) }
    return space.mutate(best.architecture, using: &generator)
  }
}

// snippet.hide
// MARK: - Running the samples that write no files

cellSearchSpace()
macroSearchSpace()
sampleCount()
jacobianCovarianceProxy()
synflowProxy()
rankCorrelation()
print(SearchConformance.problems(of: MutateBest<MacroSearchSpace>(), in: MacroSearchSpace()))   // []
