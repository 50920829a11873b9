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

/// The percentile bootstrap: deterministic given the generator, around the
/// point estimate, degenerate for a perfect ranking, narrower with more
/// pairs, and the top-half statistics select within each resample.
struct BootstrapIntervalTests {
  static func noisyPairs(_ n: Int, seed: UInt64) -> (x: [Double], y: [Double]) {
    var rng = SplitMix64(seed: seed)
    let x = (0..<n).map { _ in Double.random(in: 0..<1, using: &rng) }
    return (x, x.map { $0 + Double.random(in: -0.3..<0.3, using: &rng) })
  }

  @Test func intervalSurroundsTheEstimateAndShrinksWithMorePairs() throws {
    let (x, y) = Self.noisyPairs(40, seed: 2)
    let rho = try #require(RankCorrelation.spearman(x, y))
    var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
    let interval = try #require(RankCorrelation.bootstrapInterval(x, y, using: &a, statistic: RankCorrelation.spearman))
    #expect(RankCorrelation.bootstrapInterval(x, y, using: &b, statistic: RankCorrelation.spearman) == interval)
    #expect(interval.contains(rho) && interval.upperBound - interval.lowerBound > 0.05)
    let (xl, yl) = Self.noisyPairs(400, seed: 2)
    var c = SplitMix64(seed: 5)
    let large = try #require(RankCorrelation.bootstrapInterval(xl, yl, using: &c, statistic: RankCorrelation.spearman))
    #expect(large.upperBound - large.lowerBound < (interval.upperBound - interval.lowerBound) / 2)
    var d = SplitMix64(seed: 5)
    let narrow = try #require(RankCorrelation.bootstrapInterval(x, y, confidence: 0.5, using: &d, statistic: RankCorrelation.spearman))
    #expect(narrow.lowerBound > interval.lowerBound && narrow.upperBound < interval.upperBound)
  }

  @Test func perfectRankingAndDegenerateSamples() {
    let x: [Double] = [1, 2, 3, 4, 5, 6]
    var rng = SplitMix64(seed: 1)
    // Resamples that repeat one pair only are undefined and left out.
    #expect(RankCorrelation.bootstrapInterval(x, x.map { $0 * 2 }, using: &rng, statistic: RankCorrelation.spearman) == 1...1)
    #expect(RankCorrelation.bootstrapInterval([1], [2], using: &rng, statistic: RankCorrelation.spearman) == nil)
    #expect(RankCorrelation.bootstrapInterval(x, [Double](repeating: 3, count: 6), using: &rng, statistic: RankCorrelation.spearman) == nil)
  }

  @Test func topHalfStatisticsUseTheTopHalfByProxy() {
    // The top half by proxy (indices 3, 4, 5) is ranked in reverse by the truth.
    let proxy: [Double] = [1, 2, 3, 4, 5, 6]
    let truth: [Double] = [1, 2, 3, 6, 5, 4]
    #expect(RankCorrelation.topHalfSpearman(proxy, truth) == -1)
    #expect(RankCorrelation.topHalfKendallTauB(proxy, truth) == -1)
    #expect(RankCorrelation.spearman(proxy, truth)! > 0.5)
  }
}
