/// Why a distributed run stopped.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
  /// The ranks' shared state differs: the checksums of their meta-training
  /// states (indexed by rank) at iteration `iteration` are not all equal.
  case ranksDiverged(iteration: Int, checksums: [UInt64])
  /// Rank 0 could not write or read a file; `reason` is its error.
  case rootFailed(operation: String, reason: String)

  public var description: String {
    switch self {
    case .ranksDiverged(let iteration, let checksums):
      let list = checksums.map { String($0, radix: 16) }.joined(separator: ", ")
      return "the ranks' meta-training states differ at iteration \(iteration) (checksums by rank: \(list))"
    case .rootFailed(let operation, let reason):
      return "rank 0 failed to \(operation): \(reason)"
    }
  }
}
