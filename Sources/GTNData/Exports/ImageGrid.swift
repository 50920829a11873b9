import Foundation

/// A grid of images for viewing, written as PNG.
///
/// Images fill the grid row by row; a row can hold one class, or one step
/// of a generator's progress. Values are mapped to 0…255 either from a given
/// range (values outside are clamped) or from the minimum and maximum of all
/// the images, and each pixel can be enlarged by an integer factor.
///
/// ```swift
/// let grid = ImageGrid(images: batch.images, rows: 4, columns: 8, scale: 3)
/// try grid.write(to: URL(fileURLWithPath: "samples.png"))
/// ```
public struct ImageGrid: Sendable {
  /// The images, `[N, C, H, W]` with `C` 1 (grey) or 3 (RGB) and
  /// `N ≤ rows × columns`.
  public var images: Tensor
  /// The number of rows of the grid.
  public var rows: Int
  /// The number of columns of the grid.
  public var columns: Int
  /// The values shown as black and white; `nil` uses the images' minimum
  /// and maximum.
  public var range: ClosedRange<Float>?
  /// The integer factor by which each pixel is enlarged.
  public var scale: Int
  /// The width in (unscaled) pixels of the gaps between images.
  public var spacing: Int

  /// Creates a grid.
  ///
  /// - Parameters:
  ///   - images: `[N, C, H, W]`, `C` 1 or 3, `N ≤ rows × columns`; cells past
  ///     the last image stay black.
  ///   - rows: The number of rows, at least 1.
  ///   - columns: The number of columns, at least 1.
  ///   - range: The values mapped to 0 and 255; `nil` for min–max scaling.
  ///   - scale: The pixel enlargement factor, at least 1.
  ///   - spacing: The gap between images in pixels (before scaling).
  public init(
    images: Tensor, rows: Int, columns: Int, range: ClosedRange<Float>? = nil,
    scale: Int = 1, spacing: Int = 1
  ) {
    precondition(images.rank == 4 && (images.shape[1] == 1 || images.shape[1] == 3),
                 "ImageGrid needs images [N, 1 or 3, H, W], got shape \(images.shape)")
    precondition(rows >= 1 && columns >= 1 && images.shape[0] <= rows * columns,
                 "ImageGrid of \(rows)×\(columns) cannot hold \(images.shape[0]) images")
    precondition(scale >= 1 && spacing >= 0, "ImageGrid needs scale ≥ 1 and spacing ≥ 0, got \(scale), \(spacing)")
    self.images = images
    self.rows = rows
    self.columns = columns
    self.range = range
    self.scale = scale
    self.spacing = spacing
  }

  /// A grid with one row per class showing the first `columns` examples of
  /// that class.
  ///
  /// - Parameters:
  ///   - dataset: The dataset to show.
  ///   - columns: The number of examples per class.
  ///   - range: The values mapped to 0 and 255; `nil` for min–max scaling.
  ///   - scale: The pixel enlargement factor.
  /// - Complexity: O(n) to find the examples.
  public static func byClass(
    _ dataset: Dataset, columns: Int, range: ClosedRange<Float>? = nil, scale: Int = 1
  ) -> ImageGrid {
    let (c, h, w) = (dataset.imageShape[0], dataset.imageShape[1], dataset.imageShape[2])
    var cells = Tensor(zeros: [dataset.classNames.count * columns, c, h, w])
    let fill = range?.lowerBound ?? dataset.images.withUnsafeBufferPointer { $0.min() ?? 0 }
    cells.withUnsafeMutableBufferPointer { $0.update(repeating: fill) }
    for label in dataset.classNames.indices {
      let indices = dataset.labels.indices.lazy.filter { dataset.labels[$0] == label }.prefix(columns)
      let batch = dataset.batch(at: Array(indices))
      let size = c * h * w
      batch.images.withUnsafeBufferPointer { source in
        cells.withUnsafeMutableBufferPointer { out in
          guard !source.isEmpty else { return }
          (out.baseAddress! + label * columns * size).update(from: source.baseAddress!, count: source.count)
        }
      }
    }
    return ImageGrid(images: cells, rows: dataset.classNames.count, columns: columns, range: range, scale: scale)
  }

  /// The width and height of the picture in pixels.
  public var size: (width: Int, height: Int) {
    let (h, w) = (images.shape[2], images.shape[3])
    return (
      (columns * w + (columns - 1) * spacing) * scale,
      (rows * h + (rows - 1) * spacing) * scale
    )
  }

  /// The picture as 8-bit pixels, rows top to bottom, channels interleaved.
  ///
  /// - Complexity: O(n · scale²).
  public func pixels() -> [UInt8] {
    let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    let (width, height) = size
    let (low, high) = range.map { ($0.lowerBound, $0.upperBound) }
      ?? images.withUnsafeBufferPointer { ($0.min() ?? 0, $0.max() ?? 1) }
    let factor: Float = high > low ? 255 / (high - low) : 0
    var out = [UInt8](repeating: 0, count: width * height * c)
    images.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { out in
        for i in 0..<n {
          let (row, column) = i.quotientAndRemainder(dividingBy: columns)
          let top = row * (h + spacing) * scale
          let left = column * (w + spacing) * scale
          for y in 0..<(h * scale) {
            for x in 0..<(w * scale) {
              let pixel = ((top + y) * width + left + x) * c
              for ch in 0..<c {
                let v = source[((i * c + ch) * h + y / scale) * w + x / scale]
                let scaled = ((v - low) * factor).rounded()
                out[pixel + ch] = UInt8(Swift.max(0, Swift.min(255, scaled.isNaN ? 0 : scaled)))
              }
            }
          }
        }
      }
    }
    return out
  }

  /// The picture encoded as PNG.
  ///
  /// - Throws: ``DataError`` of kind `.unwritable` if compression fails.
  public func pngData() throws -> [UInt8] {
    let (width, height) = size
    return try PNGEncoder.encode(width: width, height: height, channels: images.shape[1], pixels: pixels())
  }

  /// Writes the picture as a PNG file.
  ///
  /// - Throws: ``DataError`` of kind `.unwritable` if the file cannot be written.
  public func write(to url: URL) throws {
    try writeBytes(pngData(), to: url)
  }
}
