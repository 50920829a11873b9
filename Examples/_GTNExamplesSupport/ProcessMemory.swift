import Foundation

/// The process's resident memory, from `/proc/self/status` (Linux), for
/// reporting how much memory a phase of a run needed.
public enum ProcessMemory {
  /// The resident set size now, in bytes (`VmRSS`); `nil` where unavailable.
  public static var residentBytes: Int? { statusField("VmRSS") }

  /// The peak resident set size, in bytes (`VmHWM`): since the process
  /// started or since the last ``resetPeak()``; `nil` where unavailable.
  public static var peakResidentBytes: Int? { statusField("VmHWM") }

  /// Resets the peak to the current resident size (writes `5` to
  /// `/proc/self/clear_refs`, Linux 4.0 and later).
  ///
  /// - Returns: Whether the reset took effect.
  @discardableResult
  public static func resetPeak() -> Bool {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? handle.close() }
    return (try? handle.write(contentsOf: Data("5".utf8))) != nil
  }

  /// A `kB` field of `/proc/self/status`, in bytes.
  static func statusField(_ name: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
      let fields = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard let kilobytes = fields.first.flatMap({ Int($0) }) else { return nil }
      return kilobytes * 1024
    }
    return nil
  }
}
