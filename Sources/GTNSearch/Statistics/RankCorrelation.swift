/// Rank correlation coefficients, for judging how well a cheap proxy ranks
/// candidate architectures compared with their real performance.
///
/// ```swift
/// let proxy = [0.61, 0.72, 0.55, 0.80]
/// let truth = [0.90, 0.93, 0.91, 0.95]
/// let rho = RankCorrelation.spearman(proxy, truth)     // 0.8
/// let tau = RankCorrelation.kendallTauB(proxy, truth)  // 0.666…
/// ```
///
/// - Reference: M. G. Kendall, "The treatment of ties in ranking problems",
///   Biometrika 33 (1945) — τ-b.
public enum RankCorrelation {
  /// The ranks of `values` (1-based), ties given the mean of the ranks they
  /// span ("fractional ranking").
  ///
  /// - Complexity: O(n log n).
  public static func ranks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
      var end = start + 1
      while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
      let rank = Double(start + end + 1) / 2  // mean of ranks start+1 … end
      for k in start..<end { ranks[order[k]] = rank }
      start = end
    }
    return ranks
  }

  /// Spearman's ρ: the Pearson correlation of the fractional ranks, which
  /// handles ties correctly.
  ///
  /// `ρ = cov(rank x, rank y) / (σ(rank x) · σ(rank y))`
  ///
  /// - Returns: A value in [−1, 1], or `nil` when fewer than two pairs are
  ///   given or either sample is constant.
  /// - Precondition: `x.count == y.count`, no NaN.
  /// - Complexity: O(n log n).
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "spearman needs samples of equal size, got \(x.count) and \(y.count)")
    precondition(!x.contains(where: \.isNaN) && !y.contains(where: \.isNaN), "spearman: samples contain NaN")
    return pearson(ranks(x), ranks(y))
  }

  /// The Pearson correlation coefficient.
  ///
  /// - Returns: `nil` for fewer than two pairs or a constant sample.
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "pearson needs samples of equal size, got \(x.count) and \(y.count)")
    let n = Double(x.count)
    guard x.count >= 2 else { return nil }
    let mx = x.reduce(0, +) / n
    let my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(x, y) {
      sxy += (a - mx) * (b - my)
      sxx += (a - mx) * (a - mx)
      syy += (b - my) * (b - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
  }

  /// Kendall's τ-b, which corrects for ties in either sample:
  ///
  /// `τ_b = (C − D) / √((n₀ − n₁)(n₀ − n₂))`
  ///
  /// with C and D the concordant and discordant pairs, `n₀ = n(n−1)/2`, and
  /// `n₁`, `n₂` the pairs tied in x and in y.
  ///
  /// - Returns: A value in [−1, 1], or `nil` for fewer than two pairs or a
  ///   constant sample.
  /// - Precondition: `x.count == y.count`, no NaN.
  /// - Complexity: O(n²), ample for the hundreds of architectures a study
  ///   scores.
  public static func kendallTauB(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "kendallTauB needs samples of equal size, got \(x.count) and \(y.count)")
    precondition(!x.contains(where: \.isNaN) && !y.contains(where: \.isNaN), "kendallTauB: samples contain NaN")
    let n = x.count
    guard n >= 2 else { return nil }
    var concordant = 0, discordant = 0, tiedX = 0, tiedY = 0
    for i in 0..<n {
      for j in (i + 1)..<n {
        let dx = x[i] - x[j]
        let dy = y[i] - y[j]
        if dx == 0 { tiedX += 1 }
        if dy == 0 { tiedY += 1 }
        if dx == 0 || dy == 0 { continue }
        if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
      }
    }
    let pairs = n * (n - 1) / 2
    let denominator = (Double(pairs - tiedX) * Double(pairs - tiedY)).squareRoot()
    guard denominator > 0 else { return nil }
    return Double(concordant - discordant) / denominator
  }

  /// The indices of the top `fraction` of `scores` (highest first), e.g. the
  /// top 50% of candidates by proxy score, as the GTN paper reports.
  public static func topIndices(of scores: [Double], fraction: Double) -> [Int] {
    precondition(fraction > 0 && fraction <= 1, "topIndices needs a fraction in (0, 1], got \(fraction)")
    let count = Swift.max(1, Int((Double(scores.count) * fraction).rounded()))
    return Array(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(count))
  }
}
