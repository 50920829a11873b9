import Foundation

/// An array in NumPy's `.npy` format (version 1.0), for inspecting data and
/// generated samples with Python.
///
/// ```swift
/// try NumPyArray(batch.images).write(to: URL(fileURLWithPath: "images.npy"))
/// try NumPyArray(labels: batch.labels).write(to: URL(fileURLWithPath: "labels.npy"))
/// // Python: numpy.load("images.npy").shape == (N, C, H, W)
/// ```
public struct NumPyArray: Sendable, Equatable {
  /// The NumPy type string of the elements: `"<f4"`, `"<i8"` or `"|u1"`.
  public var descriptor: String
  /// The shape of the array.
  public var shape: [Int]
  /// The elements in C order, little-endian.
  public var data: [UInt8]

  /// A `float32` (`'<f4'`) array of a tensor's elements and shape.
  ///
  /// - Complexity: O(n).
  public init(_ tensor: Tensor) {
    descriptor = "<f4"
    shape = tensor.shape
    data = tensor.withUnsafeBufferPointer { source in
      var bytes: [UInt8] = []
      bytes.reserveCapacity(source.count * 4)
      for v in source {
        let bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
      }
      return bytes
    }
  }

  /// An `int64` (`'<i8'`) vector of labels.
  ///
  /// - Complexity: O(n).
  public init(labels: [Int]) {
    descriptor = "<i8"
    shape = [labels.count]
    var bytes: [UInt8] = []
    bytes.reserveCapacity(labels.count * 8)
    for label in labels {
      withUnsafeBytes(of: Int64(label).littleEndian) { bytes.append(contentsOf: $0) }
    }
    data = bytes
  }

  /// A `uint8` (`'|u1'`) array of bytes with the given shape.
  ///
  /// - Precondition: `bytes.count` is the product of `shape`.
  public init(bytes: [UInt8], shape: [Int]) {
    precondition(bytes.count == shape.reduce(1, *), "NumPyArray of shape \(shape) needs \(shape.reduce(1, *)) bytes, got \(bytes.count)")
    descriptor = "|u1"
    self.shape = shape
    data = bytes
  }

  /// The `.npy` file: magic, version 1.0, a header padded to a multiple of
  /// 64 bytes, then the data.
  ///
  /// - Complexity: O(n).
  public func encoded() -> [UInt8] {
    let dims: String
    switch shape.count {
    case 0: dims = "()"
    case 1: dims = "(\(shape[0]),)"
    default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(dims), }"
    // magic (6) + version (2) + length (2) + header + '\n' ≡ 0 (mod 64)
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = UInt16(header.utf8.count)
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    bytes += data
    return bytes
  }

  /// Writes the `.npy` file.
  ///
  /// - Throws: ``DataError`` of kind `.unwritable` if it cannot be written.
  public func write(to url: URL) throws {
    try writeBytes(encoded(), to: url)
  }
}
