/// One architecture's scores in a correlation study: one JSON line of the
/// study's log (`correlate.jsonl`).
///
/// Every score may be missing in a log written with fewer proxies, step
/// counts or ground-truth seeds; a resumed study scores what is missing.
struct StudyRecord: Codable {
  var index: Int
  var encoding: String
  /// The GTN proxy's validation accuracy and seconds by step count.
  var gtnScores: [Int: Double]?
  var gtnSecondsBySteps: [Int: Double]?
  /// The real-data proxies' validation accuracy and seconds by step count.
  var realScores: [Int: Double]
  var realSeconds: [Int: Double]
  /// The ground truth (test accuracy after `--truth-steps` real steps) from
  /// the first seed, and its seconds.
  var truth: Double
  var truthSeconds: Double
  /// The ground truth from the second seed on, and their seconds.
  var moreTruths: [Double]?
  var moreTruthSeconds: [Double]?
  /// The seeds of ``truths``, in order: never the proxies' seed. `nil` in
  /// logs written before ground truths had seeds of their own.
  var truthSeeds: [UInt64]?
  /// In a record of such a log: the ground truth that was trained from the
  /// proxies' seed — the initialisation every proxy starts from and the
  /// batches of the real-data proxies — and its seconds, kept for the
  /// record but not ranked against, since it favours the proxies.
  var truthSharingProxySeed: Double?
  var truthSharingProxySeedSeconds: Double?
  /// The zero-cost proxies (gradient norm at initialisation, synflow,
  /// Jacobian covariance) and their seconds, keyed by the summary's names.
  var zeroCost: Double?
  var synflow: Double?
  var jacobianCovariance: Double?
  var zeroCostSeconds: [String: Double]?

  /// The ground truth of every seed so far, the first seed's first.
  var truths: [Double] { [truth] + (moreTruths ?? []) }
  /// Their seconds, in the same order.
  var truthSecondsBySeed: [Double] { [truthSeconds] + (moreTruthSeconds ?? []) }

  /// This record with its ground truths independent of its proxies.
  ///
  /// A record of a log written before ground truths had seeds of their own
  /// (``truthSeeds`` is `nil`) trained its first ground truth from the
  /// proxies' seed, and ground truth `r` from the second on from `seed(r - 1)`.
  /// That first one moves to ``truthSharingProxySeed``, the others move up
  /// a place, and `seed(run)` names the seed of ground truth `run` (0 for the
  /// first); a resumed study then trains the ones still missing. A record
  /// with seeds is returned as it is.
  func withIndependentTruths(seed: (Int) -> UInt64) -> StudyRecord {
    guard truthSeeds == nil else { return self }
    var record = self
    if truthSeconds >= 0 { (record.truthSharingProxySeed, record.truthSharingProxySeedSeconds) = (truth, truthSeconds) }
    var (independent, seconds) = (moreTruths ?? [], moreTruthSeconds ?? [])
    if independent.isEmpty {
      (record.truth, record.truthSeconds) = (0, -1)
    } else {
      (record.truth, record.truthSeconds) = (independent.removeFirst(), seconds.removeFirst())
    }
    (record.moreTruths, record.moreTruthSeconds) = independent.isEmpty ? (nil, nil) : (independent, seconds)
    record.truthSeeds = record.truthSeconds < 0 ? [] : (0...independent.count).map(seed)
    return record
  }
}
