// 2-D convolutions and matrix products on oneDNN: forward, backward data and
// backward weights over plain NCHW / OIHW float buffers, and bf16 matrix
// products over row-major float buffers. Each call runs on the calling
// thread alone (one OpenMP thread), so callers split work across their own
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

/// The precision of a call's products: float32 throughout, or bfloat16
/// inputs (rounded to nearest even from the float buffers) multiplied with
/// float32 accumulation into a float32 result.
typedef enum { gtn_products_f32 = 0, gtn_products_bf16 = 1 } gtn_products;

/// y = conv(x, w) + b (b may be NULL). Returns 0 on success, else a
/// oneDNN status code.
int gtn_dnnl_conv_forward(const gtn_conv_geometry *g, gtn_products p, const float *x, const float *w, const float *b, float *y);

/// dx = the input gradient of conv for output gradient dy.
int gtn_dnnl_conv_backward_data(const gtn_conv_geometry *g, gtn_products p, const float *dy, const float *w, float *dx);

/// dw = the filter gradient of conv for input x and output gradient dy
/// (overwritten, not accumulated).
int gtn_dnnl_conv_backward_weights(const gtn_conv_geometry *g, gtn_products p, const float *x, const float *dy, float *dw);

/// C = op(A)·op(B) (+ C when accumulate) on row-major float buffers, with
/// A and B rounded to bfloat16 and float32 accumulation. op(A) is m×k, op(B)
/// k×n; a transposed operand is stored transposed with the given leading
/// dimension. Returns 0 on success, else a oneDNN status code.
int gtn_dnnl_matmul_bf16(int transpose_a, int transpose_b, int m, int n, int k, const float *a, int lda, const float *b,
                         int ldb, float *c, int ldc, int accumulate);

/// The name of the instruction set oneDNN's kernels use on this CPU
/// ("avx512_core_amx", "avx512_core_bf16", "avx2", …).
const char *gtn_dnnl_cpu_isa(void);

/// Whether oneDNN could be initialised (a CPU engine exists).
int gtn_dnnl_available(void);

#ifdef __cplusplus
}
#endif
