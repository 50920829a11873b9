internal import _GTNConvolution

/// Which implementation runs 2-D convolutions, as a scoped setting.
///
/// ``oneDNN`` runs oneDNN's direct convolutions in its own blocked layouts
/// (operands are reordered into them and the result back for every call),
/// one oneDNN thread per share of the batch; ``builtin`` runs im2col and
/// OpenBLAS's sgemm. Filter banks of one or two output channels (a
/// generator's image layer) always run the package's direct kernels, and
/// convolutions of single-channel images (a learner's first layer on MNIST)
/// always run im2col: oneDNN computes those at a fraction of its usual rate
/// and reorders their wide outputs, and moving them off oneDNN made the
/// W2 and W4 meta-gradients 13% and 10% faster on one thread. Both
/// give the same results up to float rounding, and each is bit-identical for
/// any thread count (filter gradients add partial sums fixed by the batch
/// size, in order).
///
/// ```swift
/// let reference = ConvolutionBackend.$current.withValue(.builtin) {
///   Tensor.conv2d(x, filter: w, padding: 1)
/// }
/// ```
public enum ConvolutionBackend: String, Sendable, CaseIterable {
  /// oneDNN's direct convolutions (the default where oneDNN is available).
  case oneDNN
  /// im2col and OpenBLAS's sgemm, and direct kernels for small filter banks.
  case builtin

  /// The backend in the current task.
  @TaskLocal public static var current: ConvolutionBackend = isOneDNNAvailable ? .oneDNN : .builtin

  /// Whether oneDNN's CPU engine could be created.
  public static let isOneDNNAvailable: Bool = gtn_dnnl_available() != 0
}

extension Convolution2DGeometry {
  /// Whether this convolution runs on oneDNN in the current task: not for
  /// single-channel inputs, which im2col and sgemm compute faster.
  var runsOnOneDNN: Bool { ConvolutionBackend.current == .oneDNN && !prefersDirectKernels && inputChannels > 1 }

  /// The C description of this geometry for `images` of the batch.
  func oneDNNGeometry(images: Int) -> gtn_conv_geometry {
    gtn_conv_geometry(
      batch: Int32(images), input_channels: Int32(inputChannels), height: Int32(height), width: Int32(width),
      output_channels: Int32(outputChannels), kernel_height: Int32(kernelHeight), kernel_width: Int32(kernelWidth),
      stride: Int32(stride), padding: Int32(padding), output_height: Int32(outputHeight), output_width: Int32(outputWidth))
  }

  /// Input and output elements per image.
  var inputImageSize: Int { inputChannels * height * width }
  var outputImageSize: Int { outputChannels * outputPlane }

  /// The precision of oneDNN's products in the current task.
  static var products: gtn_products { Precision.current == .bfloat16 ? gtn_products_bf16 : gtn_products_f32 }

  /// Forward convolution of `images` on oneDNN.
  func oneDNNForward(images: Range<Int>, input: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    var g = oneDNNGeometry(images: images.count)
    let status = gtn_dnnl_conv_forward(
      &g, Self.products, input + images.lowerBound * inputImageSize, filter, bias, output + images.lowerBound * outputImageSize)
    precondition(status == 0, "oneDNN convolution forward failed (status \(status)) for \(self)")
  }

  /// Input gradient of `images` on oneDNN.
  func oneDNNBackwardData(images: Range<Int>, outputGradient: UnsafePointer<Float>, filter: UnsafePointer<Float>, into input: UnsafeMutablePointer<Float>) {
    var g = oneDNNGeometry(images: images.count)
    let status = gtn_dnnl_conv_backward_data(
      &g, Self.products, outputGradient + images.lowerBound * outputImageSize, filter, input + images.lowerBound * inputImageSize)
    precondition(status == 0, "oneDNN convolution backward data failed (status \(status)) for \(self)")
  }

  /// Filter gradient of `images` on oneDNN, written (not added) to `filterGradient`.
  func oneDNNBackwardWeights(images: Range<Int>, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, into filterGradient: UnsafeMutablePointer<Float>) {
    var g = oneDNNGeometry(images: images.count)
    let status = gtn_dnnl_conv_backward_weights(
      &g, Self.products, input + images.lowerBound * inputImageSize, outputGradient + images.lowerBound * outputImageSize, filterGradient)
    precondition(status == 0, "oneDNN convolution backward weights failed (status \(status)) for \(self)")
  }
}
