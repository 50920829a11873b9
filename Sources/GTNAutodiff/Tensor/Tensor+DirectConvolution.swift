internal import _GTNKernels

// Direct stride-1 convolution kernels for filter banks with one or two
// output channels (a generator's image layer). There the patch matrix of
// im2col holds C·KH·KW values per output value and the product is a
// matrix–vector one: unfolding and folding back cost more memory traffic
// than the arithmetic. These kernels instead add shifted input rows, scaled
// by one filter tap, into the output rows — every plane stays in L1. The
// loops are in C (`_GTNKernels`), compiled once per x86-64 feature level:
// the Swift code is built for the baseline instruction set, and at the
// paper's widths these kernels ran at about a tenth of the rate of the
// convolutions around them.

extension Convolution2DGeometry {
  /// Whether the direct kernels serve this geometry instead of im2col and
  /// sgemm: stride 1, at most two output channels, not pointwise.
  var prefersDirectKernels: Bool { stride == 1 && outputChannels <= 2 && !isPointwise }

  /// The C description of this geometry for one image.
  private var directGeometry: gtn_direct_geometry {
    gtn_direct_geometry(
      input_channels: Int32(inputChannels), height: Int32(height), width: Int32(width),
      output_channels: Int32(outputChannels), kernel_height: Int32(kernelHeight), kernel_width: Int32(kernelWidth),
      padding: Int32(padding), output_height: Int32(outputHeight), output_width: Int32(outputWidth))
  }

  /// Adds the convolution of one image `x` (`[C, H, W]`) with `filter` into
  /// `y` (`[O, Ho, Wo]`, holding zeros or the bias).
  func addDirectConvolution(of x: UnsafePointer<Float>, filter w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
    var g = directGeometry
    gtn_direct_convolution_add(&g, x, w, y)
  }

  /// Adds the input gradient of one image into `dx` (`[C, H, W]`), given
  /// its output gradient `g` (`[O, Ho, Wo]`): the transposed convolution.
  func addDirectInputGradient(of g: UnsafePointer<Float>, filter w: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
    var geometry = directGeometry
    gtn_direct_input_gradient_add(&geometry, g, w, dx)
  }

  /// Adds one image's filter gradient into `dw` (`[O, C, KH, KW]`): every
  /// tap is the dot product of the output gradient with the shifted input.
  func addDirectFilterGradient(input x: UnsafePointer<Float>, outputGradient g: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
    var geometry = directGeometry
    gtn_direct_filter_gradient_add(&geometry, x, g, dw)
  }
}
