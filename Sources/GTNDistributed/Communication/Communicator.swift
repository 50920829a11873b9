/// A group of cooperating processes ("ranks") and the collective and
/// point-to-point operations the distributed trainer and search need.
///
/// Two conformers: ``MPICommunicator`` (Open MPI, one process per rank,
/// launched with `mpirun`) and ``SingleProcessCommunicator`` (one rank; every
/// collective is the identity). Code written against `Communicator` runs
/// unchanged in both; ``MPICommunicator/launchedOrSingleProcess()`` picks the
/// right one for how the program was started.
///
/// Collectives must be called by every rank of the group in the same order
/// with matching sizes, as in MPI.
public protocol Communicator: Sendable {
  /// This process's rank, `0 ..< size`.
  var rank: Int { get }
  /// The number of ranks.
  var size: Int { get }
  /// Replaces `buffer` by its element-wise sum over all ranks (every rank
  /// receives the same sum).
  func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
  /// Replaces `buffer` by its element-wise sum over all ranks.
  func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>)
  /// Copies `root`'s bytes into `buffer` on every other rank (all ranks pass
  /// buffers of the same length).
  func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int)
  /// Every rank's `value`, indexed by rank.
  func allgather(_ value: UInt64) -> [UInt64]
  /// Returns when every rank has called it.
  func barrier()
  /// Sends `bytes` to rank `destination` with a message `tag` (blocking).
  func send(_ bytes: [UInt8], to destination: Int, tag: Int)
  /// Receives the next message with `tag` from `source` (any rank when
  /// `nil`), blocking until one arrives.
  func receive(from source: Int?, tag: Int) -> (bytes: [UInt8], source: Int)
  /// The source and tag of a message that has arrived and not been
  /// received, or `nil`; never blocks.
  func pendingMessage() -> (source: Int, tag: Int)?
}

extension Communicator {
  /// Sums `values` element-wise over all ranks, in place.
  public func allreduceSum(_ values: inout [Float]) {
    values.withUnsafeMutableBufferPointer { allreduceSum($0) }
  }

  /// Sums `values` element-wise over all ranks, in place.
  public func allreduceSum(_ values: inout [Double]) {
    values.withUnsafeMutableBufferPointer { allreduceSum($0) }
  }

  /// Every rank's `value`, indexed by rank.
  public func allgather(_ value: Double) -> [Double] {
    allgather(value.bitPattern).map(Double.init(bitPattern:))
  }

  /// `root`'s `value` on every rank.
  public func broadcast(_ value: UInt64, root: Int = 0) -> UInt64 {
    var copy = value
    withUnsafeMutableBytes(of: &copy) { broadcast($0, root: root) }
    return copy
  }

  /// `root`'s array on every rank; the other ranks' arrays must have the
  /// same count.
  public func broadcast(_ values: inout [Float], root: Int = 0) {
    values.withUnsafeMutableBytes { broadcast($0, root: root) }
  }

  /// `root`'s bytes on every rank, whatever the other ranks pass (the
  /// length is broadcast first).
  public func broadcast(bytes: [UInt8], root: Int = 0) -> [UInt8] {
    let count = Int(broadcast(UInt64(bytes.count), root: root))
    var result = rank == root ? bytes : [UInt8](repeating: 0, count: count)
    result.withUnsafeMutableBytes { broadcast($0, root: root) }
    return result
  }
}
