extension RankCorrelation {
  /// A percentile bootstrap confidence interval for a correlation of paired
  /// samples: the statistic recomputed on `resamples` resamples of the pairs
  /// drawn with replacement, cut at the (1 − `confidence`)/2 and
  /// (1 + `confidence`)/2 quantiles.
  ///
  /// Resamples on which the statistic is undefined (a constant sample)
  /// are left out; for the top half of the candidates, pass a statistic
  /// that selects the top half within each resample, as ``topHalfSpearman(_:_:)``
  /// does.
  ///
  /// ```swift
  /// var rng = SplitMix64(seed: 1)
  /// let proxy: [Double] = [0.61, 0.72, 0.55, 0.80, 0.66, 0.70, 0.58, 0.75]
  /// let truth: [Double] = [0.90, 0.93, 0.91, 0.95, 0.92, 0.90, 0.89, 0.94]
  /// let interval = RankCorrelation.bootstrapInterval(proxy, truth, using: &rng, statistic: RankCorrelation.spearman)
  /// // ρ = 0.79, and with 8 pairs the 95% interval is wide
  /// ```
  ///
  /// - Parameters:
  ///   - x: The first sample (e.g. the proxy's scores).
  ///   - y: The paired second sample (the ground truth).
  ///   - confidence: The interval's coverage, in (0, 1).
  ///   - resamples: How many resamples to draw.
  ///   - generator: The source of the resampled indices.
  ///   - statistic: The correlation to resample, `nil` where undefined.
  /// - Returns: The interval, or `nil` when fewer than two pairs are given
  ///   or the statistic is undefined on every resample.
  /// - Precondition: `x.count == y.count`, `confidence` in (0, 1),
  ///   `resamples ≥ 1`.
  /// - Complexity: `resamples` evaluations of the statistic on n pairs.
  /// - Reference: B. Efron and R. J. Tibshirani, *An Introduction to the
  ///   Bootstrap* (1993), ch. 13 — the percentile interval.
  public static func bootstrapInterval(
    _ x: [Double], _ y: [Double], confidence: Double = 0.95, resamples: Int = 1000,
    using generator: inout some RandomNumberGenerator, statistic: ([Double], [Double]) -> Double?
  ) -> ClosedRange<Double>? {
    precondition(x.count == y.count, "bootstrapInterval needs samples of equal size, got \(x.count) and \(y.count)")
    precondition(confidence > 0 && confidence < 1, "bootstrapInterval needs a confidence in (0, 1), got \(confidence)")
    precondition(resamples >= 1, "bootstrapInterval needs at least one resample, got \(resamples)")
    let n = x.count
    guard n >= 2 else { return nil }
    var values: [Double] = []
    values.reserveCapacity(resamples)
    var xs = [Double](repeating: 0, count: n), ys = [Double](repeating: 0, count: n)
    for _ in 0..<resamples {
      for i in 0..<n {
        let j = Int.random(in: 0..<n, using: &generator)
        xs[i] = x[j]
        ys[i] = y[j]
      }
      if let value = statistic(xs, ys) { values.append(value) }
    }
    guard !values.isEmpty else { return nil }
    values.sort()
    func quantile(_ q: Double) -> Double {
      // Linear interpolation between order statistics (NumPy's default).
      let position = q * Double(values.count - 1)
      let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, values.count - 1)
      return values[lower] + (position - Double(lower)) * (values[upper] - values[lower])
    }
    let tail = (1 - confidence) / 2
    return quantile(tail)...quantile(1 - tail)
  }

  /// Spearman's ρ over the top half of the pairs by `proxy` (as the GTN
  /// paper reports its proxies), `nil` where undefined.
  public static func topHalfSpearman(_ proxy: [Double], _ truth: [Double]) -> Double? {
    let top = topIndices(of: proxy, fraction: 0.5)
    return spearman(top.map { proxy[$0] }, top.map { truth[$0] })
  }

  /// Kendall's τ-b over the top half of the pairs by `proxy`, `nil` where
  /// undefined.
  public static func topHalfKendallTauB(_ proxy: [Double], _ truth: [Double]) -> Double? {
    let top = topIndices(of: proxy, fraction: 0.5)
    return kendallTauB(top.map { proxy[$0] }, top.map { truth[$0] })
  }
}
