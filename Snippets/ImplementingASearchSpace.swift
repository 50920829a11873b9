// The samples of GTNSearch.docc/ImplementingASearchSpace.md, compiled by
// `swift build` and checked against the article by DocumentationSampleTests.

import GTNSearch

struct MLPSpace: SearchSpace {
  struct Architecture: Codable, Hashable, Sendable { var hidden: [Int] }
  let widths = [32, 64, 128, 256]

  func sample(using generator: inout some RandomNumberGenerator) -> Architecture {
    Architecture(hidden: (0..<Int.random(in: 1...3, using: &generator)).map { _ in
      widths.randomElement(using: &generator)!
    })
  }

  func mutate(_ a: Architecture, using generator: inout some RandomNumberGenerator) -> Architecture {
    var hidden = a.hidden
    hidden[Int.random(in: 0..<hidden.count, using: &generator)] = widths.randomElement(using: &generator)!
    return Architecture(hidden: hidden)
  }

  func learner(for a: Architecture) -> any Learner {
    var layers: [any Layer] = [Flatten()]
    var inputs = 784
    for width in a.hidden {
      layers += [Linear(inputs, width), LeakyReLU(0.1)]
      inputs = width
    }
    return Sequential(layers + [Linear(inputs, 10)])
  }

  func encoding(of a: Architecture) -> String { "mlp-" + a.hidden.map(String.init).joined(separator: "-") }
}

// snippet.hide
import Testing
// snippet.show

@Test func mlpSpaceConforms() {
  #expect(SearchConformance.problems(of: MLPSpace(), sampleImage: [1, 28, 28]).isEmpty)
}

// snippet.hide
print(SearchConformance.problems(of: MLPSpace(), sampleImage: [1, 28, 28]))   // []
