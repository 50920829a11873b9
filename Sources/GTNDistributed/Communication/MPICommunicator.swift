import Foundation
internal import _GTNCMPI

#if canImport(Glibc)
import Glibc
#endif

/// A communicator over Open MPI.
///
/// ``world`` initialises MPI on first use (`MPI_Init_thread`, asking for
/// `MPI_THREAD_SERIALIZED`: the distributed search's coordinator thread is
/// the only one calling MPI while it runs) and finalises it when the
/// process exits. A program started without `mpirun` becomes an MPI
/// singleton of size 1; ``launchedOrSingleProcess()`` avoids initialising
/// MPI at all in that case.
///
/// Errors inside MPI abort the whole job (MPI's default error handler), so
/// the methods do not throw.
public final class MPICommunicator: Communicator, @unchecked Sendable {
  // MPI_Comm is an opaque handle; MPI itself is safe to call from the one
  // thread at a time that `MPI_THREAD_SERIALIZED` allows.
  private let handle: MPI_Comm
  public let rank: Int
  public let size: Int

  private init(handle: MPI_Comm) {
    self.handle = handle
    var r: Int32 = 0
    var s: Int32 = 0
    MPI_Comm_rank(handle, &r)
    MPI_Comm_size(handle, &s)
    rank = Int(r)
    size = Int(s)
  }

  /// All processes of the job (`MPI_COMM_WORLD`), initialising MPI first.
  public static let world: MPICommunicator = {
    var initialized: Int32 = 0
    MPI_Initialized(&initialized)
    if initialized == 0 {
      var provided: Int32 = 0
      MPI_Init_thread(nil, nil, gtn_mpi_thread_serialized(), &provided)
      precondition(provided >= gtn_mpi_thread_serialized(), "MPI provides thread level \(provided); swift-gtn needs MPI_THREAD_SERIALIZED")
      atexit {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
      }
    }
    return MPICommunicator(handle: gtn_mpi_comm_world())
  }()

  /// Whether this process was started by an MPI launcher (`mpirun`,
  /// `mpiexec`, `srun` with PMI/PMIx): Open MPI's and PMI's environment
  /// variables are set.
  public static var isLaunchedByMPI: Bool {
    let environment = ProcessInfo.processInfo.environment
    return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
  }

  /// ``world`` when started by `mpirun`, else a ``SingleProcessCommunicator``
  /// (MPI is then not initialised at all).
  public static func launchedOrSingleProcess() -> any Communicator {
    isLaunchedByMPI ? world : SingleProcessCommunicator()
  }

  /// Splits this group into sub-groups of the ranks passing the same
  /// `color`, ordered by `key` (`MPI_Comm_split`). Collective.
  public func split(color: Int, key: Int) -> MPICommunicator {
    var result = gtn_mpi_comm_null()
    MPI_Comm_split(handle, Int32(color), Int32(key), &result)
    guard let result else { preconditionFailure("MPI_Comm_split returned no communicator") }
    return MPICommunicator(handle: result)
  }

  public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
    guard size > 1, buffer.count > 0 else { return }
    precondition(buffer.count <= Int(Int32.max), "allreduceSum: \(buffer.count) elements exceed MPI's count range")
    MPI_Allreduce(gtn_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), gtn_mpi_float(), gtn_mpi_sum(), handle)
  }

  public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
    guard size > 1, buffer.count > 0 else { return }
    precondition(buffer.count <= Int(Int32.max), "allreduceSum: \(buffer.count) elements exceed MPI's count range")
    MPI_Allreduce(gtn_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), gtn_mpi_double(), gtn_mpi_sum(), handle)
  }

  public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
    guard size > 1, buffer.count > 0 else { return }
    precondition(buffer.count <= Int(Int32.max), "broadcast: \(buffer.count) bytes exceed MPI's count range")
    MPI_Bcast(buffer.baseAddress, Int32(buffer.count), gtn_mpi_byte(), Int32(root), handle)
  }

  public func allgather(_ value: UInt64) -> [UInt64] {
    var mine = value
    var all = [UInt64](repeating: 0, count: size)
    all.withUnsafeMutableBufferPointer { out in
      _ = MPI_Allgather(&mine, 1, gtn_mpi_uint64(), out.baseAddress, 1, gtn_mpi_uint64(), handle)
    }
    return all
  }

  public func barrier() { MPI_Barrier(handle) }

  public func send(_ bytes: [UInt8], to destination: Int, tag: Int) {
    bytes.withUnsafeBufferPointer { p in
      _ = MPI_Send(p.baseAddress, Int32(p.count), gtn_mpi_byte(), Int32(destination), Int32(tag), handle)
    }
  }

  public func receive(from source: Int?, tag: Int) -> (bytes: [UInt8], source: Int) {
    var status = MPI_Status()
    MPI_Probe(source.map(Int32.init) ?? gtn_mpi_any_source(), Int32(tag), handle, &status)
    var count: Int32 = 0
    MPI_Get_count(&status, gtn_mpi_byte(), &count)
    let from = gtn_mpi_status_source(&status)
    var bytes = [UInt8](repeating: 0, count: Int(count))
    bytes.withUnsafeMutableBufferPointer { p in
      _ = MPI_Recv(p.baseAddress, count, gtn_mpi_byte(), from, Int32(tag), handle, gtn_mpi_status_ignore())
    }
    return (bytes, Int(from))
  }

  public func pendingMessage() -> (source: Int, tag: Int)? {
    var flag: Int32 = 0
    var status = MPI_Status()
    MPI_Iprobe(gtn_mpi_any_source(), gtn_mpi_any_tag(), handle, &flag, &status)
    return flag == 0 ? nil : (Int(gtn_mpi_status_source(&status)), Int(gtn_mpi_status_tag(&status)))
  }
}
