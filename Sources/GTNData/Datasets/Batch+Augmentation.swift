extension Batch {
  /// The batch with each image randomly translated and mirrored, the
  /// standard CIFAR-10 augmentation.
  ///
  /// Each image is independently padded by `padding` pixels of `padValue` on
  /// every side, cropped back to its size at a uniformly random offset, and,
  /// if `flipping`, mirrored left–right with probability ½. Equal generator
  /// states give equal results.
  ///
  /// The padding is applied to the values in the tensor, so with a
  /// standardising ``Normalization`` a `padValue` of 0 is the mean colour.
  ///
  /// ```swift
  /// var rng = SplitMix64(seed: 1)
  /// for batch in train.batches(size: 128, using: &rng) {
  ///   let input = batch.augmented(using: &rng)
  ///   print(input.images.shape)   // train on input.images, input.labels
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - padding: The maximal shift in pixels, at least 0.
  ///   - flipping: Whether to mirror images at random.
  ///   - padValue: The value of pixels shifted in from outside.
  ///   - generator: The source of randomness.
  /// - Returns: A batch of the same shape and labels.
  /// - Complexity: O(n) in the number of scalars.
  public func augmented(
    padding: Int = 4, flipping: Bool = true, padValue: Float = 0,
    using generator: inout some RandomNumberGenerator
  ) -> Batch {
    precondition(padding >= 0, "padding \(padding) must not be negative")
    var shifts: [(dy: Int, dx: Int, flip: Bool)] = []
    shifts.reserveCapacity(count)
    for _ in 0..<count {
      let dy = Int(generator.next(upperBound: UInt64(2 * padding + 1))) - padding
      let dx = Int(generator.next(upperBound: UInt64(2 * padding + 1))) - padding
      let flip = flipping && generator.next() >> 63 == 1
      shifts.append((dy, dx, flip))
    }
    return transformed(padValue: padValue) { shifts[$0] }
  }

  /// The batch with every image mirrored left–right.
  ///
  /// Flipping twice gives back the original batch.
  ///
  /// - Complexity: O(n) in the number of scalars.
  public func horizontallyFlipped() -> Batch {
    transformed(padValue: 0) { _ in (0, 0, true) }
  }

  /// The batch with every image translated by `(dy, dx)`, uncovered pixels
  /// set to `padValue`: `result[y, x] = image[y + dy, x + dx]`.
  ///
  /// - Complexity: O(n) in the number of scalars.
  public func shifted(dy: Int, dx: Int, padValue: Float = 0) -> Batch {
    transformed(padValue: padValue) { _ in (dy, dx, false) }
  }

  /// Applies, to image `i`, `out[c, y, x] = in[c, y + dy, x' + dx]` where
  /// `x' = flip ? width − 1 − x : x`, reading `padValue` outside the image.
  private func transformed(
    padValue: Float, _ parameters: (Int) -> (dy: Int, dx: Int, flip: Bool)
  ) -> Batch {
    let (channels, height, width) = (images.shape[1], images.shape[2], images.shape[3])
    let plane = height * width
    let imageSize = channels * plane
    let result = images.withUnsafeBufferPointer { source in
      Tensor(shape: images.shape) { destination in
        for i in 0..<count {
          let (dy, dx, flip) = parameters(i)
          for c in 0..<channels {
            let inPlane = source.baseAddress! + i * imageSize + c * plane
            let outPlane = destination.baseAddress! + i * imageSize + c * plane
            for y in 0..<height {
              let sy = y + dy
              let outRow = outPlane + y * width
              guard sy >= 0 && sy < height else {
                outRow.update(repeating: padValue, count: width)
                continue
              }
              let inRow = inPlane + sy * width
              for x in 0..<width {
                let sx = (flip ? width - 1 - x : x) + dx
                outRow[x] = sx >= 0 && sx < width ? inRow[sx] : padValue
              }
            }
          }
        }
      }
    }
    return Batch(images: result, labels: labels)
  }
}
