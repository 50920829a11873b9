import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the safetensors format (Hugging Face), so that PyTorch,
/// NumPy and JAX users can open this package's weights directly.
///
/// The layout: an 8-byte little-endian header length `n`, `n` bytes of JSON
/// mapping each tensor name to `{"dtype", "shape", "data_offsets"}` (plus an
/// optional `"__metadata__"` map of strings), then the raw little-endian data.
/// Only `F32` tensors are written; `F32` is the only dtype read.
///
/// ```swift
/// try Safetensors.write([(name: "w", tensor: w), (name: "b", tensor: b)], metadata: ["iteration": "12"], to: url)
/// let (tensors, metadata) = try Safetensors.read(from: url)
/// ```
///
/// - Reference: https://github.com/huggingface/safetensors (format spec).
public enum Safetensors {
  /// Writes tensors atomically: to the temporary file `<name>.tmp-<pid>`
  /// beside `url` (this process's id), flushed to disk with `fsync`, then
  /// renamed over `url`, so a crash leaves either the old file or the new
  /// one, never a torn one. A process killed while writing can leave the
  /// temporary behind under that name; whoever owns the folder may remove
  /// it. On failure the temporary is removed and `url` is unchanged.
  ///
  /// - Parameters:
  ///   - tensors: Named tensors; names must be unique and not
  ///     `__metadata__`.
  ///   - metadata: Free-form string pairs stored in the header.
  ///   - url: The destination.
  /// - Throws: ``CheckpointError`` naming `url` and the system's reason in
  ///   plain words (permission denied, no space left on device, is a
  ///   directory, …).
  public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
    let data = try encode(tensors, metadata: metadata)
    let path = url.path
    let temporary = url.deletingLastPathComponent().appendingPathComponent("\(url.lastPathComponent).tmp-\(getpid())").path
    func fail(_ action: String, _ code: Int32) -> CheckpointError {
      CheckpointError(file: path, reason: "cannot be \(action) (\(String(cString: strerror(code))))")
    }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw fail("written", errno) }
    var failure: CheckpointError? = nil
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      var offset = 0
      while offset < raw.count, let base = raw.baseAddress {
        #if canImport(Glibc)
        let written = Glibc.write(descriptor, base + offset, raw.count - offset)
        #else
        let written = Darwin.write(descriptor, base + offset, raw.count - offset)
        #endif
        if written < 0 {
          if errno == EINTR { continue }
          failure = fail("written", errno)
          return
        }
        offset += written
      }
    }
    if failure == nil, fsync(descriptor) != 0 { failure = fail("written", errno) }
    if close(descriptor) != 0, failure == nil { failure = fail("written", errno) }
    if failure == nil, rename(temporary, path) != 0 { failure = fail("replaced", errno) }
    if let failure {
      unlink(temporary)
      throw failure
    }
    // Make the rename itself durable: flush the folder's entry.
    let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folder >= 0 {
      _ = fsync(folder)
      close(folder)
    }
  }

  /// Encodes tensors into safetensors bytes.
  public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    for (name, tensor) in tensors {
      precondition(name != "__metadata__" && header[name] == nil, "safetensors: duplicate or reserved tensor name '\(name)'")
      let size = tensor.scalarCount * 4
      header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + size]] as [String: Any]
      offset += size
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces, as the reference writer does
    var data = Data(capacity: 8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for (_, tensor) in tensors {
      tensor.withUnsafeBufferPointer { p in
        for x in p { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
      }
    }
    return data
  }

  /// Reads every tensor and the metadata of a safetensors file.
  ///
  /// - Throws: ``CheckpointError`` naming the file and what is wrong when
  ///   the file is missing, truncated, or not valid safetensors.
  public static func read(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw CheckpointError(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
    }
    return try decode(data, file: url.path)
  }

  /// Decodes safetensors bytes; `file` names the source in errors.
  public static func decode(_ data: Data, file: String = "<memory>") throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    func fail(_ reason: String) -> CheckpointError { CheckpointError(file: file, reason: reason) }
    guard data.count >= 8 else { throw fail("is \(data.count) bytes long; a safetensors file starts with an 8-byte header length") }
    let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    guard headerLength <= UInt64(data.count - 8) else {
      throw fail("declares a \(headerLength)-byte header but only \(data.count - 8) bytes follow")
    }
    let headerEnd = 8 + Int(headerLength)
    guard let object = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)),
      let header = object as? [String: Any]
    else { throw fail("header (bytes 8..<\(headerEnd)) is not a JSON object") }
    let payload = data.count - headerEnd
    var tensors: [String: Tensor] = [:]
    var metadata: [String: String] = [:]
    for (name, value) in header {
      if name == "__metadata__" {
        guard let map = value as? [String: String] else { throw fail("__metadata__ is not a map of strings") }
        metadata = map
        continue
      }
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
        let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
      else { throw fail("tensor '\(name)' lacks dtype, shape or data_offsets") }
      guard dtype == "F32" else { throw fail("tensor '\(name)' has dtype \(dtype); expected F32") }
      guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(name)' has a negative dimension in \(shape)") }
      let (count, overflow) = shape.reduce((1, false)) { acc, d in
        let (p, o) = acc.0.multipliedReportingOverflow(by: d)
        return (p, acc.1 || o)
      }
      // A shape whose size in bytes overflows cannot fit in any file.
      let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: 4)
      guard !overflow, !byteOverflow else {
        throw fail("tensor '\(name)' has shape \(shape), too large for any file")
      }
      guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= payload, offsets[1] - offsets[0] == byteCount else {
        throw fail("tensor '\(name)' of shape \(shape) has data_offsets \(offsets); expected \(byteCount) bytes within the \(payload)-byte payload")
      }
      let start = headerEnd + offsets[0]
      tensors[name] = data.withUnsafeBytes { raw in
        Tensor(shape: shape) { buffer in
          for i in 0..<count {
            let bits = raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)
            buffer[i] = Float(bitPattern: UInt32(littleEndian: bits))
          }
        }
      }
    }
    return (tensors, metadata)
  }
}
