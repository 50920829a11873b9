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
/// Only `F32` tensors are written or read here; ``SafetensorsFile`` reads
/// and writes the other common dtypes.
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
  ///
  /// The file is parsed and validated by ``SafetensorsFile``; every tensor
  /// must be `F32` (use ``SafetensorsFile`` for other dtypes).
  ///
  /// - Throws: ``CheckpointError`` naming the file and what is wrong.
  public static func decode(_ data: Data, file: String = "<memory>") throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    let parsed: SafetensorsFile
    do {
      parsed = try SafetensorsFile(decoding: [UInt8](data), source: file)
    } catch let error as DataError {
      let place = error.offset.map { " at offset \($0)" } ?? ""
      throw CheckpointError(
        file: file, reason: "\(error.field)\(place): expected \(error.expected), found \(error.found)")
    }
    var tensors: [String: Tensor] = [:]
    for (name, array) in parsed.arrays {
      guard array.scalarType == .float32, let values = array.floatValues() else {
        let dtype = SafetensorsFile.dtypes.first { $0.value == array.scalarType }?.key ?? array.descriptor
        throw CheckpointError(file: file, reason: "tensor '\(name)' has dtype \(dtype); expected F32")
      }
      tensors[name] = Tensor(shape: array.shape, scalars: values)
    }
    return (tensors, parsed.metadata)
  }
}
