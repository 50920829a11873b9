import GTNSearch
import Testing

/// Reference values computed with SciPy 1.17 (`scipy.stats.spearmanr`,
/// `scipy.stats.kendalltau(variant="b")`, `scipy.stats.rankdata`).
struct RankCorrelationTests {
  static let cases: [(x: [Double], y: [Double], spearman: Double, kendall: Double)] = [
    ([0.61, 0.72, 0.55, 0.8], [0.9, 0.93, 0.91, 0.95], 0.7999999999999999, 0.6666666666666669),
    ([1, 2, 2, 3, 4, 4, 4, 5, 6, 7], [2, 1, 3, 3, 5, 4, 6, 6, 8, 7], 0.93812095999547, 0.8335696394016967),
    ([2.0, -2.6, 0.4, -0.6, -0.5, -0.2, -2.0, -0.2, -0.9, 3.3, 0.2, -0.4, -0.3, -0.7, -1.1, -0.4, 0.5, -0.2, 1.0, -0.2, 0.0, 1.5, 0.5, -0.5, -0.2],
     [1.5, 0.6, -0.1, -0.5, 0.8, -1.0, -1.3, 0.8, 0.1, 1.7, 0.8, -3.0, 0.9, -1.3, -2.2, 0.1, 1.0, -0.5, -0.6, -0.1, -0.1, 2.2, 1.0, -0.1, 1.0],
     0.5667184289815212, 0.4370656087519231),
  ]

  @Test(arguments: 0..<3)
  func matchesSciPy(index: Int) throws {
    let c = Self.cases[index]
    let rho = try #require(RankCorrelation.spearman(c.x, c.y))
    let tau = try #require(RankCorrelation.kendallTauB(c.x, c.y))
    #expect(abs(rho - c.spearman) < 1e-12)
    #expect(abs(tau - c.kendall) < 1e-12)
  }

  @Test func fractionalRanksMatchSciPy() {
    #expect(RankCorrelation.ranks([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]) == [4.5, 1.5, 6, 1.5, 7.5, 10, 3, 9, 7.5, 4.5])
  }

  @Test func perfectAndReversedOrders() {
    let x: [Double] = [1, 2, 3, 4, 5]
    #expect(RankCorrelation.spearman(x, x.map { $0 * $0 }) == 1)
    #expect(RankCorrelation.kendallTauB(x, x.reversed()) == -1)
  }

  @Test func degenerateSamplesHaveNoCorrelation() {
    #expect(RankCorrelation.spearman([1], [2]) == nil)
    #expect(RankCorrelation.spearman([1, 1, 1], [1, 2, 3]) == nil)
    #expect(RankCorrelation.kendallTauB([1, 2, 3], [4, 4, 4]) == nil)
  }

  @Test func topIndicesPickTheHighestScores() {
    #expect(RankCorrelation.topIndices(of: [0.2, 0.9, 0.5, 0.7], fraction: 0.5) == [1, 3])
  }
}
