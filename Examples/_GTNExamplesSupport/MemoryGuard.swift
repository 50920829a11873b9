import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Stops a run with a message naming what to change when it is about to run
/// out of memory, instead of leaving it to the kernel's out-of-memory
/// killer, which ends the process without a word (exit status 137).
///
/// Meta-training keeps every inner step's activations for the exact
/// meta-gradient, so its memory grows with the inner steps, the batch and
/// the learner's activations; a large learner (cells of a search space on
/// CIFAR-10, say) can need more than the machine has even where every check
/// before meta-training passes. A background thread reads the process's
/// resident memory and the memory the system still has available (Linux:
/// `/proc/self/status`, `/proc/meminfo` and the cgroup's `memory.max`)
/// ten times a second, and stops the process with exit status 1 and
/// ``advice`` when the resident memory passes the limit (`--memory-limit`)
/// or less than ``reserveBytes`` remain available.
///
/// Checkpoints are written atomically, so a stopped run resumes from its
/// last one (`--resume`) after the options are changed.
final class MemoryGuard: @unchecked Sendable {
  /// The resident bytes that stop the run; `nil` for the system's limit.
  let limitBytes: Int?
  /// Available bytes below which the run stops.
  let reserveBytes: Int
  /// Where the message starts (`"mnist-gtn: "`).
  let prefix: String
  private let lock = NSLock()
  private var phaseText = "preparing"
  private var stopped = false
  /// What the message advises; read when the run is stopped.
  let advice: String

  /// - Parameters:
  ///   - limitBytes: Resident bytes that stop the run (`nil`: none).
  ///   - prefix: The start of the message.
  ///   - advice: What to change, appended to the message.
  init(limitBytes: Int?, prefix: String, advice: String) {
    self.limitBytes = limitBytes
    self.prefix = prefix
    self.advice = advice
    let total = Self.systemBytes().total ?? Int(clamping: ProcessInfo.processInfo.physicalMemory)
    reserveBytes = max(256 << 20, total / 32)
  }

  /// What the run is doing, named in the message.
  var phase: String {
    get { lock.withLock { phaseText } }
    set { lock.withLock { phaseText = newValue } }
  }

  /// Starts watching on a background thread.
  func start() {
    let thread = Thread { [self] in
      while !lock.withLock({ stopped }) {
        if let message = exhaustion() {
          FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
          _exit(1)
        }
        usleep(100_000)
      }
    }
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// Stops watching.
  func stop() { lock.withLock { stopped = true } }

  /// The message when memory is exhausted now, else `nil`.
  func exhaustion() -> String? {
    guard let resident = ProcessMemory.residentBytes else { return nil }
    let gb = { (bytes: Int) in String(format: "%.3g GB", Double(bytes) / 1e9) }
    if let limitBytes, resident > limitBytes {
      return "stopped during \(phase): resident memory \(gb(resident)) passed --memory-limit \(gb(limitBytes)). \(advice)"
    }
    let system = Self.systemBytes()
    if let available = system.available, available < reserveBytes {
      let total = system.total.map { " of \(gb($0))" } ?? ""
      return "stopped during \(phase) before the system runs out of memory: resident memory \(gb(resident)), "
        + "\(gb(available)) left\(total). \(advice)"
    }
    return nil
  }

  /// The memory the process may use in all (the smaller of the machine's
  /// and the cgroup's limit) and what is still available of it.
  static func systemBytes() -> (total: Int?, available: Int?) {
    var total: Int? = nil
    var available: Int? = nil
    if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
      for line in text.split(separator: "\n") {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == ":" })
        guard fields.count >= 2, let kilobytes = Int(fields[1]) else { continue }
        if fields[0] == "MemTotal" { total = kilobytes * 1024 }
        if fields[0] == "MemAvailable" { available = kilobytes * 1024 }
      }
    }
    let cgroup = "/sys/fs/cgroup/"
    if let maximum = readInteger(cgroup + "memory.max"), let current = readInteger(cgroup + "memory.current") {
      total = min(total ?? maximum, maximum)
      available = min(available ?? (maximum - current), maximum - current)
    }
    return (total, available)
  }

  /// The integer a one-line file holds (`nil` for `max` or no file).
  static func readInteger(_ path: String) -> Int? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}
