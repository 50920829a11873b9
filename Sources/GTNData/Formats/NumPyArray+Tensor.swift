extension NumPyArray {
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
}
