import Foundation

extension IDXFile {
  /// An `ubyte` IDX image file of float images quantised to 0…255.
  ///
  /// A value `v` becomes `round((v − range.lowerBound) / (range.upperBound −
  /// range.lowerBound) · 255)`, clamped to 0…255. One-channel images are
  /// stored as `[N, H, W]` (MNIST's `idx3` layout), others as `[N, C, H, W]`.
  ///
  /// ```swift
  /// let file = IDXFile(images: samples.images, range: -1...1)
  /// try file.write(to: URL(fileURLWithPath: "gtn-images-idx3-ubyte"))
  /// ```
  ///
  /// - Parameters:
  ///   - images: `[N, C, H, W]`.
  ///   - range: The values mapped to 0 and 255, e.g. `0...1` or the
  ///     normalised range from ``Normalization/range(channel:statistics:)``.
  /// - Complexity: O(n).
  public init(images: Tensor, range: ClosedRange<Float>) {
    precondition(images.rank == 4, "IDX image export needs [N, C, H, W], got shape \(images.shape)")
    precondition(range.upperBound > range.lowerBound, "IDX export range \(range) must not be empty")
    let dimensions = images.shape[1] == 1
      ? [images.shape[0], images.shape[2], images.shape[3]] : images.shape
    let low = range.lowerBound
    let factor = 255 / (range.upperBound - range.lowerBound)
    let bytes = images.withUnsafeBufferPointer { source in
      [UInt8](unsafeUninitializedCapacity: source.count) { out, count in
        for i in source.indices {
          let v = ((source[i] - low) * factor).rounded()
          out[i] = v.isNaN ? 0 : UInt8(Swift.max(0, Swift.min(255, v)))
        }
        count = source.count
      }
    }
    self.init(elementType: .uint8, dimensions: dimensions, payload: bytes)
  }

  /// An `ubyte` IDX label file (`idx1`).
  ///
  /// - Parameter labels: Labels in 0…255.
  /// - Complexity: O(n).
  public init(labels: [Int]) {
    precondition(labels.allSatisfy { $0 >= 0 && $0 <= 255 }, "IDX labels must lie in 0...255")
    self.init(elementType: .uint8, dimensions: [labels.count], payload: labels.map { UInt8($0) })
  }

  /// Writes the file, uncompressed.
  ///
  /// - Throws: ``DataError`` of kind `.unwritable` if it cannot be written.
  public func write(to url: URL) throws {
    try writeBytes(encoded(), to: url)
  }
}
