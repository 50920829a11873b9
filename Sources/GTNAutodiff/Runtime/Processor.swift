#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPU this process runs on, as the operating system describes it: what a
/// measured time or accuracy-at-a-budget needs beside it to be compared with
/// a figure from another machine.
///
/// On Linux the fields come from the first processor of `/proc/cpuinfo`;
/// elsewhere only ``logicalProcessors`` is known. ``description`` is one
/// line, for logs and summaries:
///
/// ```swift
/// print(Processor.current.description)
/// // "AMD EPYC (AuthenticAMD family 26 model 2), 2 logical CPUs, AVX-512, avx512_bf16, no AMX"
/// ```
public struct Processor: Codable, Sendable, Equatable, CustomStringConvertible {
  /// The marketing name (`model name`), e.g. `"AMD EPYC"`; empty if unknown.
  public var modelName: String
  /// The vendor string, e.g. `"GenuineIntel"`, `"AuthenticAMD"`.
  public var vendor: String
  /// The CPU family and model numbers (which tell generations apart where
  /// the model name does not).
  public var family: Int?
  public var model: Int?
  /// Logical processors the operating system reports online.
  public var logicalProcessors: Int
  /// The instruction-set flags (`avx2`, `avx512f`, `avx512_bf16`,
  /// `amx_tile`, …), sorted.
  public var flags: [String]

  /// Creates a description from its parts.
  public init(modelName: String, vendor: String, family: Int?, model: Int?, logicalProcessors: Int, flags: [String]) {
    self.modelName = modelName
    self.vendor = vendor
    self.family = family
    self.model = model
    self.logicalProcessors = logicalProcessors
    self.flags = flags.sorted()
  }

  /// The processor of this machine, read once.
  public static let current: Processor = read()

  /// Whether the CPU has the instruction-set flag `flag` (as spelled in
  /// `/proc/cpuinfo`).
  public func has(_ flag: String) -> Bool { flags.contains(flag) }

  /// The widest vector extension the CPU has: `"AVX-512"`, `"AVX2"`, or
  /// `"SSE"`/`"unknown"`.
  public var vectorExtension: String {
    if has("avx512f") { return "AVX-512" }
    if has("avx2") { return "AVX2" }
    return flags.isEmpty ? "unknown" : "SSE"
  }

  /// One line: name, family and model, logical CPUs, vector extension, and
  /// whether bfloat16 products are native (`avx512_bf16`, AMX tiles).
  public var description: String {
    var identity = modelName.isEmpty ? "unknown CPU" : modelName
    if let family, let model { identity += " (\(vendor) family \(family) model \(model))" }
    var parts = [identity, "\(logicalProcessors) logical CPU\(logicalProcessors == 1 ? "" : "s")", vectorExtension]
    if has("avx512_bf16") { parts.append("avx512_bf16") }
    parts.append(has("amx_tile") ? "AMX" : "no AMX")
    return parts.joined(separator: ", ")
  }

  /// Parses the first processor's block of `/proc/cpuinfo` text.
  ///
  /// - Parameters:
  ///   - text: The file's contents.
  ///   - logicalProcessors: The count to record.
  public static func parsing(cpuinfo text: String, logicalProcessors: Int) -> Processor {
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.allSatisfy(\.isWhitespace) {
        if !fields.isEmpty { break }
        continue
      }
      guard let colon = line.firstIndex(of: ":") else { continue }
      let key = line[..<colon].trimmingCharacters()
      if fields[key] == nil { fields[key] = line[line.index(after: colon)...].trimmingCharacters() }
    }
    return Processor(
      modelName: fields["model name"] ?? "", vendor: fields["vendor_id"] ?? "",
      family: fields["cpu family"].flatMap { Int($0) }, model: fields["model"].flatMap { Int($0) },
      logicalProcessors: logicalProcessors,
      flags: (fields["flags"] ?? "").split(separator: " ").map(String.init))
  }

  private static func read() -> Processor {
    parsing(cpuinfo: firstProcessorBlock(), logicalProcessors: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }

  /// The lines of `/proc/cpuinfo` up to its first empty line (empty where
  /// there is no such file); `parsing` reads no further.
  private static func firstProcessorBlock() -> String {
    #if os(Linux)
    guard let file = fopen("/proc/cpuinfo", "r") else { return "" }
    defer { fclose(file) }
    var text = ""
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0 {
      let current = String(cString: line!)
      if current.allSatisfy(\.isWhitespace) && !text.isEmpty { break }
      text += current
    }
    return text
    #else
    return ""
    #endif
  }
}

extension Substring {
  fileprivate func trimmingCharacters() -> String {
    String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
