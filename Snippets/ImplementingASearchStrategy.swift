// The samples of GTNSearch.docc/ImplementingASearchStrategy.md, compiled by
// `swift build` and checked against the article by DocumentationSampleTests.

// snippet.hide
import GTNSearch

var rng = SplitMix64(seed: 1)
let proxy = GTNProxy(
  data: SyntheticData(
    batches: [(images: Tensor(randomNormal: [8, 1, 28, 28], using: &rng), labels: (0..<8).map { $0 % 10 },
               targets: CurriculumBatch.oneHot((0..<8).map { $0 % 10 }, classCount: 10))],
    optimizer: SGDWithMomentum(), optimizerParameters: SGDWithMomentum().makeMetaParameters()),
  steps: 4, validationImages: Tensor(randomNormal: [8, 1, 28, 28], using: &rng), validationLabels: (0..<8).map { $0 % 10 })
// snippet.show

import Foundation
import GTNSearch

struct HillClimbing<Space: SearchSpace>: SearchStrategy {
  var warmUp = 10

  func propose(
    in space: Space, history: [SearchRecord<Space.Architecture>],
    using generator: inout some RandomNumberGenerator
  ) -> Space.Architecture {
    guard history.count >= warmUp, let best = history.max(by: { $0.score < $1.score }) else {
      return space.sample(using: &generator)
    }
    return space.mutate(best.architecture, using: &generator)
  }
}

let search = ArchitectureSearch(space: MacroSearchSpace(), strategy: HillClimbing(),
                                evaluator: proxy, seed: 3)
let records = try search.run(budget: .evaluations(200), log: URL(fileURLWithPath: "climb.jsonl"))

// snippet.hide
import Testing
// snippet.show

@Test func hillClimbingConforms() {
  #expect(SearchConformance.problems(of: HillClimbing<MacroSearchSpace>(), in: MacroSearchSpace()).isEmpty)
}
