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
}
