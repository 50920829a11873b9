extension Tensor {
  /// The flat indices of the maximum of every pooling window of an NCHW
  /// tensor, and the pooled shape.
  ///
  /// Max pooling is the gather of these indices; ties go to the first
  /// maximum in row-major window order. Padding is never selected.
  ///
  /// - Complexity: O(N·C·Ho·Wo·k²).
  public func maxPool2dIndices(kernelSize k: Int, stride s: Int, padding p: Int = 0) -> (indices: [Int32], shape: [Int]) {
    precondition(rank == 4, "maxPool2d needs an NCHW tensor, got shape \(shape)")
    precondition(k >= 1 && s >= 1 && p >= 0 && p * 2 <= k, "maxPool2d needs kernel ≥ 1, stride ≥ 1, 0 ≤ padding ≤ kernel/2; got \(k), \(s), \(p)")
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let ho = (h + 2 * p - k) / s + 1
    let wo = (w + 2 * p - k) / s + 1
    precondition(ho >= 1 && wo >= 1, "maxPool2d kernel \(k) larger than input \(shape)")
    if k == 2 && s == 2 && p == 0 {
      let (indices, _) = maxPool2x2(height: h, width: w, planes: n * c, writingValues: false)
      return (indices, [n, c, ho, wo])
    }
    if s <= 2 {
      let (indices, _) = maxPoolWindows(kernelSize: k, stride: s, padding: p, writingValues: false)
      return (indices, [n, c, ho, wo])
    }
    var indices = [Int32](repeating: 0, count: n * c * ho * wo)
    if p == 0 {
      // Every window lies inside the image: no bounds tests in the loop.
      withUnsafeBufferPointer { x in
        indices.withUnsafeMutableBufferPointer { idx in
          var o = 0
          for plane in 0..<(n * c) {
            let base = plane * h * w
            for i in 0..<ho {
              for j in 0..<wo {
                var bestIndex = base + i * s * w + j * s
                var best = x[bestIndex]
                for a in 0..<k {
                  let row = base + (i * s + a) * w + j * s
                  for b in 0..<k where x[row + b] > best {
                    best = x[row + b]
                    bestIndex = row + b
                  }
                }
                idx[o] = Int32(truncatingIfNeeded: bestIndex)
                o += 1
              }
            }
          }
        }
      }
      return (indices, [n, c, ho, wo])
    }
    // Windows that lie inside the image (every row from `r0`, and output
    // columns jInside) take the unchecked scan; the others skip the padding.
    let jInside: Range<Int> = {
      let first = Swift.min(wo, (p + s - 1) / s)
      guard w + p - k >= 0 else { return first..<first }
      return first..<Swift.max(first, Swift.min(wo, (w + p - k) / s + 1))
    }()
    withUnsafeBufferPointer { x in
      indices.withUnsafeMutableBufferPointer { idx in
        /// The first maximum of window (i, j) in row-major order, padding skipped.
        @inline(__always) func checked(_ base: Int, _ i: Int, _ j: Int) -> Int32 {
          Self.firstMaximum(x.baseAddress!, base: base, i: i, j: j, kernel: k, stride: s, padding: p, height: h, width: w).index
        }
        var o = 0
        for plane in 0..<(n * c) {
          let base = plane * h * w
          for i in 0..<ho {
            let r0 = i * s - p
            guard r0 >= 0 && r0 + k <= h else {
              for j in 0..<wo { idx[o + j] = checked(base, i, j) }
              o += wo
              continue
            }
            for j in 0..<jInside.lowerBound { idx[o + j] = checked(base, i, j) }
            for j in jInside {
              var bestIndex = base + r0 * w + j * s - p
              var best = x[bestIndex]
              for a in 0..<k {
                let row = base + (r0 + a) * w + j * s - p
                for b in 0..<k where x[row + b] > best {
                  best = x[row + b]
                  bestIndex = row + b
                }
              }
              idx[o + j] = Int32(truncatingIfNeeded: bestIndex)
            }
            for j in jInside.upperBound..<wo { idx[o + j] = checked(base, i, j) }
            o += wo
          }
        }
      }
    }
    return (indices, [n, c, ho, wo])
  }

  /// Max pooling of an NCHW tensor: the pooled tensor and the flat indices
  /// of the maxima, as ``maxPool2dIndices(kernelSize:stride:padding:)``
  /// gives them (the pooled tensor is their gather), in one pass for the
  /// common 2×2 windows at stride 2.
  public func maxPool2d(kernelSize k: Int, stride s: Int, padding p: Int = 0) -> (values: Tensor, indices: [Int32]) {
    precondition(rank == 4, "maxPool2d needs an NCHW tensor, got shape \(shape)")
    if k == 2 && s == 2 && p == 0 && shape[2] >= 2 && shape[3] >= 2 {
      let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
      let (indices, values) = maxPool2x2(height: h, width: w, planes: n * c, writingValues: true)
      return (Tensor(shape: [n, c, h / 2, w / 2], storage: values), indices)
    }
    if s <= 2 {
      let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
      precondition(k >= 1 && p >= 0 && p * 2 <= k && h + 2 * p >= k && w + 2 * p >= k,
                   "maxPool2d needs kernel ≥ 1, 0 ≤ padding ≤ kernel/2 and a kernel no larger than the padded input; got \(k), \(p) for \(shape)")
      let (indices, values) = maxPoolWindows(kernelSize: k, stride: s, padding: p, writingValues: true)
      return (Tensor(shape: [n, c, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1], storage: values), indices)
    }
    let (indices, pooledShape) = maxPool2dIndices(kernelSize: k, stride: s, padding: p)
    return (gathering(flatIndices: indices, shape: pooledShape), indices)
  }

  /// `count` pooled indices and, when `writingValues`, `count` pooled
  /// values, which `body(input, indices, values)` writes in full.
  private func fillingPooled(
    count: Int, writingValues: Bool,
    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Float>?) -> Void
  ) -> ([Int32], ContiguousArray<Float>) {
    var values = ContiguousArray<Float>()
    let indices = [Int32](unsafeUninitializedCapacity: count) { idx, initialized in
      values = ContiguousArray<Float>(unsafeUninitializedCapacity: writingValues ? count : 0) { val, valuesInitialized in
        withUnsafeBufferPointer { input in
          guard let x = input.baseAddress, let out = idx.baseAddress else { return }
          body(x, out, writingValues ? val.baseAddress : nil)
        }
        valuesInitialized = writingValues ? count : 0
      }
      initialized = count
    }
    return (indices, values)
  }

  /// The argmax (and, if asked, the maximum) of every `k×k` window at
  /// stride 1 or 2, padding `p`, without branches: each plane is copied
  /// into a buffer padded with −∞, and eight output columns at a time
  /// compare the window's taps in row-major order with strict `>` (ties go
  /// to the first maximum; padding, at −∞, is never selected over an image
  /// value). A window whose image values are all −∞ or NaN is resolved
  /// by the scalar scan. Planes split across threads.
  ///
  /// - Complexity: O(N·C·Ho·Wo·k²).
  private func maxPoolWindows(kernelSize k: Int, stride s: Int, padding p: Int, writingValues: Bool) -> ([Int32], ContiguousArray<Float>) {
    precondition(s == 1 || s == 2, "maxPoolWindows needs stride 1 or 2, got \(s)")
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let (ho, wo) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1)
    let (hp, wp) = (h + 2 * p, w + 2 * p)
    let planeCount = n * c
    let count = planeCount * ho * wo
    // Eight lanes at stride s read up to 8·s − 1 columns past a window's start.
    let paddedCount = hp * wp + 8 * s + k
    return fillingPooled(count: count, writingValues: writingValues) { x, out, pooled in
      let shares = Parallelism.shareCount(elements: count * k * k, pieces: planeCount)
      Parallelism.forEachShare(shares, of: planeCount) { _, planes in
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedCount)
        defer { padded.deallocate() }
        padded.initialize(repeating: -.infinity, count: paddedCount)
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(s)
        for plane in planes {
          let base = plane * h * w
          for r in 0..<h { (padded + (r + p) * wp + p).update(from: x + base + r * w, count: w) }
          for i in 0..<ho {
            let o = (plane * ho + i) * wo
            var j = 0
            while j < wo {
              var best = SIMD8<Float>(repeating: -.infinity)
              var index = SIMD8<Int32>(repeating: -1)
              for a in 0..<k {
                let row = padded + (i * s + a) * wp + j * s
                // The image index of padded (i·s + a, j·s + lane·s + b).
                let rowStart = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: base + (i * s + a - p) * w + j * s - p)) &+ lanes
                for b in 0..<k {
                  let v: SIMD8<Float>
                  if s == 1 {
                    v = UnsafeRawPointer(row + b).loadUnaligned(as: SIMD8<Float>.self)
                  } else {
                    v = UnsafeRawPointer(row + b).loadUnaligned(as: SIMD16<Float>.self).evenHalf
                  }
                  let m = v .> best
                  best.replace(with: v, where: m)
                  index.replace(with: rowStart &+ Int32(b), where: m)
                }
              }
              let valid = Swift.min(8, wo - j)
              for lane in 0..<valid {
                var bestIndex = index[lane]
                var bestValue = best[lane]
                if bestIndex < 0 {
                  (bestIndex, bestValue) = Self.firstMaximum(x, base: base, i: i, j: j + lane, kernel: k, stride: s, padding: p, height: h, width: w)
                }
                out[o + j + lane] = bestIndex
                pooled?[o + j + lane] = bestValue
              }
              j += 8
            }
          }
        }
      }
    }
  }

  /// The first maximum of window (i, j) in row-major order, padding
  /// skipped, and its flat index, by a scalar scan.
  private static func firstMaximum(_ x: UnsafePointer<Float>, base: Int, i: Int, j: Int, kernel k: Int, stride s: Int, padding p: Int,
                                   height h: Int, width w: Int) -> (index: Int32, value: Float) {
    var best = -Float.infinity
    var bestIndex = -1
    for a in 0..<k {
      let r = i * s - p + a
      if r < 0 || r >= h { continue }
      for b in 0..<k {
        let col = j * s - p + b
        if col < 0 || col >= w { continue }
        let q = base + r * w + col
        if bestIndex < 0 || x[q] > best { best = x[q]; bestIndex = q }
      }
    }
    return (Int32(truncatingIfNeeded: bestIndex), best)
  }

  /// The adjoint of 2×2, stride-2 max pooling of an NCHW tensor of shape
  /// `inputShape`: `self` (the pooled shape) scattered to the window maxima
  /// at `indices` (as ``maxPool2d(kernelSize:stride:padding:)`` returns
  /// them), zeros elsewhere.
  ///
  /// The windows are disjoint, so each plane is cleared while it is in cache
  /// and every gradient stored once — no tensor-wide zero fill first and no
  /// additions, unlike a general scatter-add. Planes split across threads.
  ///
  /// - Complexity: O(N·C·H·W).
  func maxPool2x2Adjoint(indices: [Int32], inputShape: [Int]) -> Tensor {
    precondition(inputShape.count == 4 && inputShape[2] >= 2 && inputShape[3] >= 2,
                 "maxPool2x2Adjoint needs an NCHW input shape of at least 2×2, got \(inputShape)")
    let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    let windows = (h / 2) * (w / 2)
    precondition(shape == [n, c, h / 2, w / 2] && indices.count == scalarCount,
                 "maxPool2x2Adjoint: gradient of shape \(shape) with \(indices.count) indices for input \(inputShape)")
    let planeCount = n * c
    let total = planeCount * h * w
    return Tensor.overwriting(shape: inputShape) { out in
      withUnsafeBufferPointer { upstream in
        indices.withUnsafeBufferPointer { idx in
          guard let o = out.baseAddress, let g = upstream.baseAddress, let k = idx.baseAddress else { return }
          let shares = Parallelism.shareCount(elements: total, pieces: planeCount)
          Parallelism.forEachShare(shares, of: planeCount) { _, planes in
            for plane in planes {
              (o + plane * h * w).initialize(repeating: 0, count: h * w)
              for j in (plane * windows)..<((plane + 1) * windows) { o[Int(k[j])] = g[j] }
            }
          }
        }
      }
    }
  }

  /// The argmax (and, if asked, the maximum) of every 2×2 window at stride 2
  /// of `planes` planes of `height × width`, without branches: on real
  /// activations the argmax is unpredictable, and mispredicted branches made
  /// this the largest single cost of a small conv learner's step. Four
  /// windows at a time in SIMD registers; ties go to the first maximum in
  /// row-major window order (strict `>` as in the scalar loop).
  private func maxPool2x2(height h: Int, width w: Int, planes planeCount: Int, writingValues: Bool) -> ([Int32], ContiguousArray<Float>) {
    let (ho, wo) = (h / 2, w / 2)
    let count = planeCount * ho * wo
    return fillingPooled(count: count, writingValues: writingValues) { x, out, pooled in
      // Planes are independent: large batches split them across threads.
      let shares = Parallelism.shareCount(elements: count, pieces: planeCount)
      Parallelism.forEachShare(shares, of: planeCount) { _, planes in
        let lanes = SIMD4<Int32>(0, 2, 4, 6)
        let wide = SIMD4<Int32>(repeating: Int32(truncatingIfNeeded: w))
        for plane in planes {
          for i in 0..<ho {
            let top = plane * h * w + 2 * i * w
            let o = (plane * ho + i) * wo
            var j = 0
            while j + 4 <= wo {
              let t = UnsafeRawPointer(x + top + 2 * j).loadUnaligned(as: SIMD8<Float>.self)
              let b = UnsafeRawPointer(x + top + w + 2 * j).loadUnaligned(as: SIMD8<Float>.self)
              let v0 = t.evenHalf, v1 = t.oddHalf, v2 = b.evenHalf, v3 = b.oddHalf
              let start = SIMD4<Int32>(repeating: Int32(truncatingIfNeeded: top + 2 * j)) &+ lanes
              var index = start
              var best = v0
              var m = v1 .> best
              index.replace(with: start &+ 1, where: m)
              best.replace(with: v1, where: m)
              m = v2 .> best
              index.replace(with: start &+ wide, where: m)
              best.replace(with: v2, where: m)
              m = v3 .> best
              index.replace(with: start &+ wide &+ 1, where: m)
              best.replace(with: v3, where: m)
              UnsafeMutableRawPointer(out + o + j).storeBytes(of: index, as: SIMD4<Int32>.self)
              if let pooled { UnsafeMutableRawPointer(pooled + o + j).storeBytes(of: best, as: SIMD4<Float>.self) }
              j += 4
            }
            while j < wo {
              let q = top + 2 * j
              var best = x[q]
              var index = q
              let v1 = x[q + 1]
              index = v1 > best ? q + 1 : index
              best = v1 > best ? v1 : best
              let v2 = x[q + w]
              index = v2 > best ? q + w : index
              best = v2 > best ? v2 : best
              let v3 = x[q + w + 1]
              index = v3 > best ? q + w + 1 : index
              best = v3 > best ? v3 : best
              out[o + j] = Int32(truncatingIfNeeded: index)
              pooled?[o + j] = best
              j += 1
            }
          }
        }
      }
    }
  }

  /// Nearest-neighbour upsampling of an NCHW tensor by an integer factor:
  /// `y[n, c, i, j] = x[n, c, i / f, j / f]`, shape `[N, C, H·f, W·f]`.
  ///
  /// Each input row is widened once and copied `f` times; planes split
  /// across threads for large tensors.
  ///
  /// - Complexity: O(N·C·H·W·f²).
  public func upsampledNearest(by f: Int) -> Tensor {
    precondition(rank == 4 && f >= 1, "upsampledNearest needs an NCHW tensor and factor ≥ 1, got \(shape), \(f)")
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let (ho, wo) = (h * f, w * f)
    return mappingPlanes(to: [n, c, ho, wo], work: n * c * ho * wo) { x, y, planes in
      for plane in planes {
        for i in 0..<h {
          let source = x + (plane * h + i) * w
          let row = y + (plane * ho + i * f) * wo
          for j in 0..<w {
            let v = source[j]
            for k in 0..<f { row[j * f + k] = v }
          }
          for r in 1..<f { (row + r * wo).update(from: row, count: wo) }
        }
      }
    }
  }

  /// The adjoint of ``upsampledNearest(by:)``: each `f×f` block of an NCHW
  /// tensor summed, shape `[N, C, H/f, W/f]` (row-major order within a
  /// block, as a scatter-add of the upsampling's gather would add).
  ///
  /// - Precondition: H and W are multiples of `f`.
  /// - Complexity: O(N·C·H·W).
  public func summingBlocks(of f: Int) -> Tensor {
    precondition(rank == 4 && f >= 1 && shape[2] % f == 0 && shape[3] % f == 0,
                 "summingBlocks needs an NCHW tensor whose height and width are multiples of \(f), got \(shape)")
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let (ho, wo) = (h / f, w / f)
    return mappingPlanes(to: [n, c, ho, wo], work: scalarCount) { x, y, planes in
      for plane in planes {
        for i in 0..<ho {
          let target = y + (plane * ho + i) * wo
          var j = 0
          if f == 2 {
            // Four blocks at a time: two rows of eight, then the pairs.
            let top = x + (plane * h + 2 * i) * w
            while j + 4 <= wo {
              let upper = UnsafeRawPointer(top + 2 * j).loadUnaligned(as: SIMD8<Float>.self)
              let lower = UnsafeRawPointer(top + w + 2 * j).loadUnaligned(as: SIMD8<Float>.self)
              // In the scalar loop's order (row-major within the block).
              let sum = ((upper.evenHalf + upper.oddHalf) + lower.evenHalf) + lower.oddHalf
              UnsafeMutableRawPointer(target + j).storeBytes(of: sum, as: SIMD4<Float>.self)
              j += 4
            }
          }
          for j in j..<wo {
            var sum: Float = 0
            for r in 0..<f {
              let source = x + ((plane * h + i * f + r) * w + j * f)
              for k in 0..<f { sum += source[k] }
            }
            target[j] = sum
          }
        }
      }
    }
  }


  /// Flat indices that realise nearest-neighbour upsampling of an NCHW shape
  /// by an integer factor, as a gather.
  public static func upsamplingIndices(shape: [Int], factor f: Int) -> (indices: [Int32], shape: [Int]) {
    precondition(shape.count == 4 && f >= 1, "upsampling needs an NCHW shape and factor ≥ 1, got \(shape), \(f)")
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let (ho, wo) = (h * f, w * f)
    var indices = [Int32](repeating: 0, count: n * c * ho * wo)
    var o = 0
    for plane in 0..<(n * c) {
      for i in 0..<ho {
        let row = plane * h * w + (i / f) * w
        for j in 0..<wo {
          indices[o] = Int32(row + j / f)
          o += 1
        }
      }
    }
    return (indices, [n, c, ho, wo])
  }

  /// Mirror padding of the two spatial dimensions of an NCHW tensor, as
  /// PyTorch's `ReflectionPad2d` (the border mirrored without repeating the
  /// edge).
  ///
  /// `y[n, c, i, j] = x[n, c, r(i − p, H), r(j − p, W)]` with
  /// `r(t, E) = |t|` for `t < 0`, `2(E − 1) − t` for `t ≥ E`, `t` otherwise.
  ///
  /// ```swift
  /// let x = Tensor(shape: [1, 1, 2, 3], scalars: [0, 1, 2, 3, 4, 5])
  /// let y = x.reflectionPadded(by: 1)   // [1, 1, 4, 5]; first row 4, 3, 4, 5, 4
  /// ```
  ///
  /// It gives the values of ``gathering(flatIndices:shape:)`` with
  /// ``reflectionPaddingIndices(shape:padding:)``, without building the
  /// indices (four bytes per output element).
  ///
  /// - Precondition: `0 ≤ p < min(H, W)`.
  /// - Complexity: O(N·C·(H + 2p)·(W + 2p)), planes split across
  ///   ``Parallelism``'s threads.
  public func reflectionPadded(by p: Int) -> Tensor {
    precondition(rank == 4, "reflection padding needs an NCHW shape, got \(shape)")
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    precondition(p >= 0 && p < h && p < w, "reflection padding \(p) needs to be smaller than the input's height and width \(shape)")
    let (ho, wo) = (h + 2 * p, w + 2 * p)
    return mappingPlanes(to: [n, c, ho, wo], work: n * c * ho * wo) { x, y, planes in
      for plane in planes {
        for i in 0..<ho {
          let source = x + (plane * h + Tensor.reflected(i - p, extent: h)) * w
          let row = y + (plane * ho + i) * wo
          for j in 0..<p { row[j] = source[p - j] }
          (row + p).update(from: source, count: w)
          for j in 0..<p { row[p + w + j] = source[w - 2 - j] }
        }
      }
    }
  }

  /// The adjoint of ``reflectionPadded(by:)``: the gradient of a padded
  /// NCHW tensor folded back onto the `[N, C, H − 2p, W − 2p]` input, every
  /// mirrored border element added to the element it copies.
  ///
  /// `x̄[n, c, r(i − p), r(j − p)] += ȳ[n, c, i, j]` over the padded rows `i`
  /// and columns `j` in row-major order — the order in which a scatter-add of
  /// ``reflectionPaddingIndices(shape:padding:)`` adds them.
  ///
  /// - Precondition: `0 ≤ p < min(H − 2p, W − 2p)`.
  /// - Complexity: O(N·C·H·W), planes split across ``Parallelism``'s threads.
  public func reflectionPaddingAdjoint(by p: Int) -> Tensor {
    precondition(rank == 4 && shape[2] > 2 * p && shape[3] > 2 * p,
                 "reflectionPaddingAdjoint by \(p) needs an NCHW tensor larger than \(2 * p) in height and width, got \(shape)")
    let (n, c, ho, wo) = (shape[0], shape[1], shape[2], shape[3])
    let (h, w) = (ho - 2 * p, wo - 2 * p)
    precondition(p >= 0 && p < h && p < w, "reflection padding \(p) needs to be smaller than the input's height and width \([n, c, h, w])")
    return mappingPlanes(to: [n, c, h, w], zeroed: true, work: scalarCount) { g, y, planes in
      for plane in planes {
        for i in 0..<ho {
          let source = g + (plane * ho + i) * wo
          let row = y + (plane * h + Tensor.reflected(i - p, extent: h)) * w
          for j in 0..<p { row[p - j] += source[j] }
          for j in 0..<w { row[j] += source[p + j] }
          for j in 0..<p { row[w - 2 - j] += source[p + w + j] }
        }
      }
    }
  }

  /// A new NCHW tensor of `shape`, with as many planes (N·C) as `self`,
  /// written plane by plane: `body` gets `self`'s base address, the
  /// result's, and a range of planes, whose elements it reads and writes
  /// only there. The ranges split across ``Parallelism``'s threads when
  /// `work` (elements touched) is large enough; planes being independent,
  /// the result does not depend on the thread count.
  ///
  /// The result starts uninitialised, so `body` writes every element of its
  /// planes, unless `zeroed` (for kernels that accumulate).
  private func mappingPlanes(
    to shape: [Int], zeroed: Bool = false, work: Int,
    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void
  ) -> Tensor {
    let planeCount = shape[0] * shape[1]
    precondition(rank == 4 && shape.count == 4 && self.shape[0] * self.shape[1] == planeCount,
                 "mappingPlanes needs NCHW shapes with as many planes, got \(self.shape) → \(shape)")
    let fill = { (out: inout UnsafeMutableBufferPointer<Float>) in
      self.withUnsafeBufferPointer { input in
        guard let x = input.baseAddress, let y = out.baseAddress else { return }
        let shares = Parallelism.shareCount(elements: work, pieces: planeCount)
        Parallelism.forEachShare(shares, of: planeCount) { _, planes in body(x, y, planes) }
      }
    }
    return zeroed ? Tensor(shape: shape, initializingWith: fill) : Tensor.overwriting(shape: shape, fill)
  }

  /// `t` reflected into `0..<extent` without repeating the edge.
  @inline(__always)
  static func reflected(_ t: Int, extent: Int) -> Int {
    t < 0 ? -t : (t >= extent ? 2 * (extent - 1) - t : t)
  }

  /// Flat indices that realise reflection padding of an NCHW shape as a
  /// gather (the border is mirrored without repeating the edge, as in
  /// PyTorch's `ReflectionPad2d`).
  public static func reflectionPaddingIndices(shape: [Int], padding p: Int) -> (indices: [Int32], shape: [Int]) {
    precondition(shape.count == 4, "reflection padding needs an NCHW shape, got \(shape)")
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    precondition(p >= 0 && p < h && p < w, "reflection padding \(p) needs to be smaller than the input's height and width \(shape)")
    func reflect(_ i: Int, _ extent: Int) -> Int {
      if i < 0 { return -i }
      if i >= extent { return 2 * (extent - 1) - i }
      return i
    }
    let (ho, wo) = (h + 2 * p, w + 2 * p)
    var indices = [Int32](repeating: 0, count: n * c * ho * wo)
    var o = 0
    for plane in 0..<(n * c) {
      for i in 0..<ho {
        let row = plane * h * w + reflect(i - p, h) * w
        for j in 0..<wo {
          indices[o] = Int32(row + reflect(j - p, w))
          o += 1
        }
      }
    }
    return (indices, [n, c, ho, wo])
  }

  /// Average pooling of an NCHW tensor with zero padding counted in the
  /// divisor (`k²` always, as PyTorch's default `count_include_pad`).
  ///
  /// `y[n, c, i, j] = Σ_{a, b < k} (1/k²) · x[n, c, i·s − p + a, j·s − p + b]`
  ///
  /// It is the depthwise convolution with every filter tap `1/k²`, and runs
  /// on that kernel.
  ///
  /// - Complexity: O(N·C·Ho·Wo·k²).
  public func averagePool2d(kernelSize k: Int, stride s: Int, padding p: Int = 0) -> Tensor {
    let filter = Tensor.averagingFilter(input: shape, kernelSize: k, stride: s, padding: p)
    return Tensor.depthwiseConv2d(self, filter: filter, stride: s, padding: p)
  }

  /// The adjoint of ``averagePool2d(kernelSize:stride:padding:)``: spreads
  /// each output gradient evenly over its window.
  public func averagePool2dAdjoint(inputShape: [Int], kernelSize k: Int, stride s: Int, padding p: Int = 0) -> Tensor {
    let filter = Tensor.averagingFilter(input: inputShape, kernelSize: k, stride: s, padding: p)
    let outputShape = DepthwiseConvolutionGeometry(input: inputShape, filter: filter.shape, stride: s, padding: p).outputShape
    precondition(shape == outputShape, "averagePool2d gradient has shape \(shape), expected \(outputShape)")
    return Tensor.depthwiseConv2dInputGradient(self, filter: filter, inputShape: inputShape, stride: s, padding: p)
  }

  /// The depthwise filter `[C, 1, k, k]` of `k×k` average pooling, after
  /// checking the pooling's arguments.
  static func averagingFilter(input: [Int], kernelSize k: Int, stride s: Int, padding p: Int) -> Tensor {
    precondition(input.count == 4, "averagePool2d needs an NCHW tensor, got shape \(input)")
    precondition(k >= 1 && s >= 1 && p >= 0 && p * 2 <= k, "averagePool2d needs kernel ≥ 1, stride ≥ 1, 0 ≤ padding ≤ kernel/2; got \(k), \(s), \(p)")
    precondition(input[2] + 2 * p >= k && input[3] + 2 * p >= k, "averagePool2d kernel \(k) larger than input \(input)")
    return Tensor(repeating: 1 / Float(k * k), shape: [input[1], 1, k, k])
  }
}
