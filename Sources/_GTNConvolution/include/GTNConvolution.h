// 2-D convolutions on oneDNN: forward, backward data and backward weights
// over plain NCHW / OIHW float buffers. Each call runs on the calling thread
// alone (one OpenMP thread), so callers split work across their own
// threads and results do not depend on the thread count.
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The geometry of one convolution call.
typedef struct {
  int batch, input_channels, height, width;
  int output_channels, kernel_height, kernel_width;
  int stride, padding;
  int output_height, output_width;
} gtn_conv_geometry;

/// y = conv(x, w) + b (b may be NULL). Returns 0 on success, else a
/// oneDNN status code.
int gtn_dnnl_conv_forward(const gtn_conv_geometry *g, const float *x, const float *w, const float *b, float *y);

/// dx = the input gradient of conv for output gradient dy.
int gtn_dnnl_conv_backward_data(const gtn_conv_geometry *g, const float *dy, const float *w, float *dx);

/// dw = the filter gradient of conv for input x and output gradient dy
/// (overwritten, not accumulated).
int gtn_dnnl_conv_backward_weights(const gtn_conv_geometry *g, const float *x, const float *dy, float *dw);

/// Whether oneDNN could be initialised (a CPU engine exists).
int gtn_dnnl_available(void);

#ifdef __cplusplus
}
#endif
