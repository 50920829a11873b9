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
  /// Writes tensors atomically (``AtomicFile``): a crash leaves either the
  /// old file or the new one, never a torn one.
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
    do { try AtomicFile.write(data, to: url) } catch {
      throw CheckpointError(file: url.path, reason: "cannot be written (\(error.found))")
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
