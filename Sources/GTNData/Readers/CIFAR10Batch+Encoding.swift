extension CIFAR10Batch {
  /// The batch encoded as records of the binary version (uncompressed).
  ///
  /// Decoding the result gives back an equal value.
  ///
  /// - Complexity: O(n).
  public func encoded() -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count * Self.recordSize)
    bytes.withUnsafeMutableBufferPointer { out in
      pixels.withUnsafeBufferPointer { source in
        for r in 0..<count {
          let record = out.baseAddress! + r * Self.recordSize
          record[0] = labels[r]
          (record + 1).update(from: source.baseAddress! + r * Self.imageSize, count: Self.imageSize)
        }
      }
    }
    return bytes
  }
}
