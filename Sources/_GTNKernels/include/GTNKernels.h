// Elementwise kernels of swift-gtn, compiled once per x86-64 feature level
// (AVX-512, AVX2+FMA, baseline) with the best one chosen when the process
// loads. Swift code is compiled for the baseline instruction set (SSE2 on
// x86-64) and has no per-function targets, so these loops are in C.
//
// Implementation detail of GTNAutodiff and GTNCore: not a public API.
// Every function takes contiguous buffers of `count` floats; outputs may
// alias an input only where the comment says so.

#ifndef GTN_KERNELS_H
#define GTN_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which code path the kernels run on this CPU: "x86-64-v4" (AVX-512),
/// "x86-64-v3" (AVX2, FMA), or "baseline".
const char *gtn_kernels_instruction_set(void);

/// `out[i] = tanh(x[i])`, within 0.51 ulp (double-precision evaluation
/// rounded once; see `_tanhf` in GTNAutodiff). `out` may be `x`.
void gtn_tanh(const float *x, float *out, ptrdiff_t count);

/// `out[i] = x[i] > 0 ? x[i] : slope·x[i]`. `out` may be `x`.
void gtn_leaky_relu(const float *x, float *out, ptrdiff_t count, float slope);

/// `out[i] = x[i] > 0 ? g[i] : negative_slope·g[i]` (the (leaky) ReLU
/// backward pass).
void gtn_scaled_by_sign(const float *g, const float *x, float *out, ptrdiff_t count, float negative_slope);

/// `out[i] = g[i]·(1 − y[i]·y[i])` (the tanh backward pass, `y = tanh(x)`),
/// rounded after each operation as written.
void gtn_tanh_backward(const float *g, const float *y, float *out, ptrdiff_t count);

/// `out[i] = x[i]·scale + addend[i]`, the product rounded before the sum
/// (no fused multiply-add); `addend` may be NULL (then `x[i]·scale`).
void gtn_scaled_add(const float *x, float scale, const float *addend, float *out, ptrdiff_t count);

/// `y[i] += alpha·x[i]`, the product rounded before the sum.
void gtn_accumulate(float *y, const float *x, ptrdiff_t count, float alpha);

/// `out[i] = a[i] ∘ b[i]` where `a_step`/`b_step` is 1 (a contiguous run) or
/// 0 (one value repeated); `operation` 0 add, 1 subtract, 2 multiply,
/// 3 divide.
void gtn_binary(int operation, const float *a, ptrdiff_t a_step, const float *b, ptrdiff_t b_step,
                float *out, ptrdiff_t count);

/// `Σ x[i]²` in double precision, accumulated in eight interleaved partial
/// sums added in a fixed order (the same result from every clone).
double gtn_sum_of_squares(const float *x, ptrdiff_t count);

/// One Adam step over a parameter tensor, in place:
/// `g = scale·gradient; m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
/// p −= lr·(m/c₁) / (√(v/c₂) + ε)`.
void gtn_adam(float *parameters, float *first_moments, float *second_moments, const float *gradients,
              ptrdiff_t count, float scale, float lr, float beta1, float beta2, float c1, float c2, float epsilon);

/// The geometry of a direct stride-1 convolution of one image: `[C, H, W]`
/// input, `[O, C, KH, KW]` filter, `[O, Ho, Wo]` output, zero padding.
typedef struct {
  int input_channels, height, width;
  int output_channels, kernel_height, kernel_width;
  int padding, output_height, output_width;
} gtn_direct_geometry;

/// Adds the stride-1 convolution of one image `x` with `w` into `y`, in
/// the order filter tap by filter tap (for filter banks of few output
/// channels, where im2col's patch matrix costs more than the arithmetic).
void gtn_direct_convolution_add(const gtn_direct_geometry *g, const float *x, const float *w, float *y);

/// Adds the input gradient of one image into `dx`, given its output
/// gradient `dy`: the transposed convolution.
void gtn_direct_input_gradient_add(const gtn_direct_geometry *g, const float *dy, const float *w, float *dx);

/// Adds one image's filter gradient into `dw`: each tap the dot product of
/// `dy` with the shifted input, in interleaved partial sums added in a
/// fixed order.
void gtn_direct_filter_gradient_add(const gtn_direct_geometry *g, const float *x, const float *dy, float *dw);

/// `iterations` rounds of `acc = fma(multiplier, addend, acc)` on twelve
/// independent chains of the widest vector registers this CPU has (16
/// lanes with AVX-512, 8 with AVX2, else 4), lane `k` starting at
/// `start + k·step`: the floating-point throughput the processor can reach
/// (2 flops per lane and round). `lanes` receives the lane count. Returns
/// the sum of the lanes taken in lane order, so the work cannot be dropped
/// and the result can be checked.
float gtn_fma_rounds(long iterations, float start, float step, float multiplier, float addend, int *lanes);

/// Runs every kernel through each instruction-set build this CPU can run
/// and through the dispatched entry point, and returns how many results
/// differ in any bit (0 expected); `levels_checked` receives how many builds
/// were compared (0 where there is a single build). For tests.
int gtn_kernels_clone_differences(int *levels_checked);

#ifdef __cplusplus
}
#endif

#endif  // GTN_KERNELS_H
