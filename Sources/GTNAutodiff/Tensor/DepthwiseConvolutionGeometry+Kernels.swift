extension DepthwiseConvolutionGeometry {
  /// ``Tensor/depthwiseConv2d(_:filter:stride:padding:)``: per plane, the
  /// phases once, then one flat sum over the taps.
  func forward(_ input: Tensor, filter: Tensor) -> Tensor {
    let flatCount = flatOutputCount
    return Tensor.overwriting(shape: outputShape) { y in
      input.withUnsafeBufferPointer { x in
        filter.withUnsafeBufferPointer { f in
          guard let xb = x.baseAddress, let yb = y.baseAddress, let fb = f.baseAddress else { return }
          forEachPlane(zeroed: phasesSize, scratch: flatCount) { phases, flat in
            let sources = (0..<taps).map { k in UnsafePointer(phases + phase(ofTap: k) * phaseSize + offset(ofTap: k)) }
            return { plane in
              split(xb, plane: plane, into: phases)
              sources.withUnsafeBufferPointer { Self.correlate($0, fb + (plane % c) * taps, into: flat, count: flatCount) }
              for i in 0..<ho { (yb + (plane * ho + i) * wo).update(from: flat + i * wq, count: wo) }
            }
          }
        }
      }
    }
  }

  /// ``Tensor/depthwiseConv2dInputGradient(_:filter:inputShape:stride:padding:)``:
  /// the output gradient, spread over the phase width after `lead` zeros,
  /// correlated with each phase's taps, gives that phase of the padded input
  /// plane's gradient; the rows that hold image pixels are computed and
  /// scattered back.
  func inputGradient(_ outputGradient: Tensor, filter: Tensor) -> Tensor {
    let lead = (kh - 1) / s * wq + (kw - 1) / s
    let spreadCount = lead + hq * wq + kw
    // Taps grouped by phase, in filter order within a phase.
    let order = (0..<taps).sorted { (phase(ofTap: $0), $0) < (phase(ofTap: $1), $1) }
    let phaseStart = (0...(s * s)).map { ph in order.firstIndex { phase(ofTap: $0) >= ph } ?? taps }
    // Phase row rq holds padded row rq·s + α; image rows are padded rows p..<p + h.
    let rows = (0..<s).map { alpha in ((p - alpha + s - 1) / s)..<((p + h - alpha + s - 1) / s) }
    return Tensor.overwriting(shape: inputShape) { dx in
      outputGradient.withUnsafeBufferPointer { dy in
        filter.withUnsafeBufferPointer { f in
          guard let dyb = dy.baseAddress, let dxb = dx.baseAddress, let fb = f.baseAddress else { return }
          // Every channel's taps in `order`.
          let weights = (0..<(c * taps)).map { fb[$0 - $0 % taps + order[$0 % taps]] }
          forEachPlane(zeroed: spreadCount, scratch: s * s * hq * wq) { spreadPlane, phases in
            // The taps' sources in `order`, each phase's from the first row it computes.
            let sources = order.map { k in
              UnsafePointer(spreadPlane + lead - offset(ofTap: k) + rows[phase(ofTap: k) / s].lowerBound * wq)
            }
            return { plane in
              spread(dyb, plane: plane, into: spreadPlane + lead)
              sources.withUnsafeBufferPointer { allSources in
                weights.withUnsafeBufferPointer { allWeights in
                  for ph in 0..<(s * s) {
                    let range = rows[ph / s]
                    let group = phaseStart[ph]..<phaseStart[ph + 1]
                    Self.correlate(UnsafeBufferPointer(rebasing: allSources[group]),
                                   allWeights.baseAddress! + (plane % c) * taps + group.lowerBound,
                                   into: phases + ph * hq * wq + range.lowerBound * wq, count: range.count * wq)
                  }
                }
              }
              // Image pixel (r, q) is padded (r + p, q + p).
              let target = dxb + plane * h * w
              for r in 0..<h {
                let (rq, alpha) = ((r + p) / s, (r + p) % s)
                if s == 1 {
                  (target + r * w).update(from: phases + rq * wq + p, count: w)
                  continue
                }
                for q in 0..<w {
                  target[r * w + q] = phases[(alpha * s + (q + p) % s) * hq * wq + rq * wq + (q + p) / s]
                }
              }
            }
          }
        }
      }
    }
  }

  /// ``Tensor/depthwiseConv2dFilterGradient(_:outputGradient:filterShape:stride:padding:)``:
  /// per plane, one long dot product per tap between its phase and the
  /// output gradient spread over the phase width; the planes' sums added per
  /// channel in batch order, whatever the thread count.
  func filterGradient(_ input: Tensor, outputGradient: Tensor) -> Tensor {
    let flatCount = flatOutputCount
    var partials = [Float](repeating: 0, count: planeCount * taps)
    input.withUnsafeBufferPointer { x in
      outputGradient.withUnsafeBufferPointer { dy in
        partials.withUnsafeMutableBufferPointer { sums in
          guard let xb = x.baseAddress, let dyb = dy.baseAddress, let sb = sums.baseAddress else { return }
          forEachPlane(zeroed: phasesSize, scratch: flatCount) { phases, flat in
            { plane in
              split(xb, plane: plane, into: phases)
              spread(dyb, plane: plane, into: flat)
              for k in 0..<taps {
                sb[plane * taps + k] = Self.dot(phases + phase(ofTap: k) * phaseSize + offset(ofTap: k), flat, count: flatCount)
              }
            }
          }
        }
      }
    }
    return Tensor(shape: filterShape) { df in
      for image in 0..<n {
        for channel in 0..<c {
          for k in 0..<taps { df[channel * taps + k] += partials[(image * c + channel) * taps + k] }
        }
      }
    }
  }
}
