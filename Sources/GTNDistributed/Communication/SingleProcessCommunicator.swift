/// The group of one: rank 0 of size 1. Collectives return their input;
/// point-to-point messages have no peer and are programmer errors.
///
/// This is what a program started without `mpirun` uses, so the distributed
/// trainer and search run (and behave exactly like their serial
/// counterparts) without initialising MPI.
public struct SingleProcessCommunicator: Communicator {
  public init() {}
  public var rank: Int { 0 }
  public var size: Int { 1 }
  public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
  public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {}
  public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
    precondition(root == 0, "broadcast: root \(root) in a group of one")
  }
  public func allgather(_ value: UInt64) -> [UInt64] { [value] }
  public func barrier() {}
  public func send(_ bytes: [UInt8], to destination: Int, tag: Int) {
    preconditionFailure("send: a single-process group has no rank \(destination)")
  }
  public func receive(from source: Int?, tag: Int) -> (bytes: [UInt8], source: Int) {
    preconditionFailure("receive: a single-process group has no peers")
  }
  public func pendingMessage() -> (source: Int, tag: Int)? { nil }
}
