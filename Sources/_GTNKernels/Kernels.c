#include "GTNKernels.h"

#include <stdint.h>
#include <string.h>

// Products are rounded before sums everywhere, as in the Swift code these
// loops replace: results do not depend on which clone runs.
#pragma clang fp contract(off)

// One clone per x86-64 feature level, chosen by an ifunc resolver at load
// time (glibc). Elsewhere (other architectures, other C libraries) the
// plain function is compiled for the target's baseline.
#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && defined(__clang__)
#define GTN_MULTIVERSIONED __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define GTN_HAS_CLONES 1
#else
#define GTN_MULTIVERSIONED
#define GTN_HAS_CLONES 0
#endif

const char *gtn_kernels_instruction_set(void) {
#if GTN_HAS_CLONES
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4";
  if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3";
#endif
  return "baseline";
}

// √x without errno handling, so the loops around it vectorise.
#if __has_builtin(__builtin_elementwise_sqrt)
#define gtn_sqrt(x) __builtin_elementwise_sqrt(x)
#else
#define gtn_sqrt(x) __builtin_sqrtf(x)
#endif

static inline float gtn_tanh1(float x) {
  float a = x < 0 ? -x : x;
  double y = 2 * (double)(a > 10 ? 10 : a);  // NaN stays NaN
  // Adding 1.5·2⁵² rounds to an integer held in the low significand bits.
  const double shifter = 6755399441055744.0;
  double biased = y * 1.4426950408889634 + shifter;
  double n = biased - shifter;
  double r = y - n * 0.6931471805599453;
  double p = 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1;
  int64_t bits;
  memcpy(&bits, &biased, sizeof bits);
  uint64_t scaleBits = (uint64_t)(bits - 0x4338000000000000LL + 1023) << 52;
  double twoToN;
  memcpy(&twoToN, &scaleBits, sizeof twoToN);
  double e = (p * r) * twoToN + (twoToN - 1);
  float t = (float)(e / (e + 2));
  uint32_t tb, xb;
  memcpy(&tb, &t, 4);
  memcpy(&xb, &x, 4);
  tb |= xb & 0x80000000u;
  memcpy(&t, &tb, 4);
  return t;
}

GTN_MULTIVERSIONED
void gtn_tanh(const float *x, float *out, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i++) out[i] = gtn_tanh1(x[i]);
}

GTN_MULTIVERSIONED
void gtn_leaky_relu(const float *x, float *out, ptrdiff_t count, float slope) {
  for (ptrdiff_t i = 0; i < count; i++) out[i] = x[i] > 0 ? x[i] : slope * x[i];
}

GTN_MULTIVERSIONED
void gtn_scaled_by_sign(const float *restrict g, const float *restrict x, float *restrict out, ptrdiff_t count,
                        float negative_slope) {
  for (ptrdiff_t i = 0; i < count; i++) out[i] = x[i] > 0 ? g[i] : negative_slope * g[i];
}

GTN_MULTIVERSIONED
void gtn_tanh_backward(const float *restrict g, const float *restrict y, float *restrict out, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i++) out[i] = g[i] * (1 - y[i] * y[i]);
}

GTN_MULTIVERSIONED
void gtn_scaled_add(const float *restrict x, float scale, const float *restrict addend, float *restrict out,
                    ptrdiff_t count) {
  if (addend) {
    for (ptrdiff_t i = 0; i < count; i++) out[i] = x[i] * scale + addend[i];
  } else {
    for (ptrdiff_t i = 0; i < count; i++) out[i] = x[i] * scale;
  }
}

GTN_MULTIVERSIONED
void gtn_accumulate(float *restrict y, const float *restrict x, ptrdiff_t count, float alpha) {
  if (alpha == 1) {
    for (ptrdiff_t i = 0; i < count; i++) y[i] += x[i];
  } else {
    for (ptrdiff_t i = 0; i < count; i++) y[i] += alpha * x[i];
  }
}

#define GTN_BINARY_LOOPS(OP)                                                   \
  if (a_step == 1 && b_step == 1) {                                            \
    for (ptrdiff_t i = 0; i < count; i++) out[i] = a[i] OP b[i];               \
  } else if (a_step == 1) {                                                    \
    const float s = b[0];                                                      \
    for (ptrdiff_t i = 0; i < count; i++) out[i] = a[i] OP s;                  \
  } else if (b_step == 1) {                                                    \
    const float s = a[0];                                                      \
    for (ptrdiff_t i = 0; i < count; i++) out[i] = s OP b[i];                  \
  } else {                                                                     \
    const float s = a[0] OP b[0];                                              \
    for (ptrdiff_t i = 0; i < count; i++) out[i] = s;                          \
  }

GTN_MULTIVERSIONED
void gtn_binary(int operation, const float *restrict a, ptrdiff_t a_step, const float *restrict b,
                ptrdiff_t b_step, float *restrict out, ptrdiff_t count) {
  switch (operation) {
  case 0: GTN_BINARY_LOOPS(+) break;
  case 1: GTN_BINARY_LOOPS(-) break;
  case 2: GTN_BINARY_LOOPS(*) break;
  default: GTN_BINARY_LOOPS(/) break;
  }
}

GTN_MULTIVERSIONED
double gtn_sum_of_squares(const float *x, ptrdiff_t count) {
  double partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  ptrdiff_t i = 0;
  for (; i + 8 <= count; i += 8) {
    for (int lane = 0; lane < 8; lane++) partial[lane] += (double)x[i + lane] * (double)x[i + lane];
  }
  for (; i < count; i++) partial[i & 7] += (double)x[i] * (double)x[i];
  return ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
}

GTN_MULTIVERSIONED
void gtn_adam(float *restrict parameters, float *restrict first_moments, float *restrict second_moments,
              const float *restrict gradients, ptrdiff_t count, float scale, float lr, float beta1, float beta2,
              float c1, float c2, float epsilon) {
  for (ptrdiff_t j = 0; j < count; j++) {
    float g = gradients[j] * scale;
    float m = beta1 * first_moments[j] + (1 - beta1) * g;
    float v = beta2 * second_moments[j] + (1 - beta2) * g * g;
    first_moments[j] = m;
    second_moments[j] = v;
    parameters[j] -= lr * (m / c1) / (gtn_sqrt(v / c2) + epsilon);
  }
}

// Direct stride-1 convolution of one image for filter banks of one or two
// output channels, in the loop order of the Swift code they replace
// (`Convolution2DGeometry.addDirectConvolution` and its adjoints), so the
// sums run in the same order for every clone.

/// The output columns `lo..<hi` whose input column `j − padding + kw` lies
/// inside a row of `width`.
static inline void gtn_direct_columns(const gtn_direct_geometry *g, int kw, int *lo, int *hi) {
  int l = g->padding - kw;
  if (l < 0) l = 0;
  if (l > g->output_width) l = g->output_width;
  int h = g->width + g->padding - kw;
  if (h > g->output_width) h = g->output_width;
  *lo = l;
  *hi = h > l ? h : l;
}

/// For every filter tap: adds `tap ×` the shifted rows of the input plane
/// into the output plane (`to_input` 0, the forward pass: `y += w ∗ x`), or
/// `tap ×` the output rows into the shifted input rows (`to_input` 1, the
/// transposed pass: `dx += wᵀ ∗ dy`). Inlined into each clone.
static inline __attribute__((always_inline)) void gtn_direct_taps(const gtn_direct_geometry *g, const float *w,
                                                                  const float *from, float *to, int to_input) {
  const int c_count = g->input_channels, kh_count = g->kernel_height, kw_count = g->kernel_width;
  const int ho = g->output_height, wo = g->output_width, height = g->height, width = g->width;
  for (int o = 0; o < g->output_channels; o++)
    for (int c = 0; c < c_count; c++)
      for (int kh = 0; kh < kh_count; kh++)
        for (int kw = 0; kw < kw_count; kw++) {
          const float tap = w[((o * c_count + c) * kh_count + kh) * kw_count + kw];
          int lo, hi;
          gtn_direct_columns(g, kw, &lo, &hi);
          if (hi == lo) continue;
          for (int oh = 0; oh < ho; oh++) {
            const int ih = oh - g->padding + kh;
            if (ih < 0 || ih >= height) continue;
            const ptrdiff_t output_row = (ptrdiff_t)(o * ho + oh) * wo;
            const ptrdiff_t input_row = (ptrdiff_t)(c * height + ih) * width + (kw - g->padding);
            const float *restrict src = from + (to_input ? output_row : input_row);
            float *restrict dst = to + (to_input ? input_row : output_row);
            for (int j = lo; j < hi; j++) dst[j] += tap * src[j];
          }
        }
}

GTN_MULTIVERSIONED
void gtn_direct_convolution_add(const gtn_direct_geometry *g, const float *restrict x, const float *restrict w,
                                float *restrict y) {
  gtn_direct_taps(g, w, x, y, 0);
}

GTN_MULTIVERSIONED
void gtn_direct_input_gradient_add(const gtn_direct_geometry *g, const float *restrict dy, const float *restrict w,
                                   float *restrict dx) {
  gtn_direct_taps(g, w, dy, dx, 1);
}

GTN_MULTIVERSIONED
void gtn_direct_filter_gradient_add(const gtn_direct_geometry *g, const float *restrict x, const float *restrict dy,
                                    float *restrict dw) {
  const int c_count = g->input_channels, kh_count = g->kernel_height, kw_count = g->kernel_width;
  const int ho = g->output_height, wo = g->output_width, height = g->height, width = g->width;
  for (int o = 0; o < g->output_channels; o++)
    for (int c = 0; c < c_count; c++)
      for (int kh = 0; kh < kh_count; kh++)
        for (int kw = 0; kw < kw_count; kw++) {
          int lo, hi;
          gtn_direct_columns(g, kw, &lo, &hi);
          if (hi == lo) continue;
          // Sixteen interleaved partial sums (one vector register at
          // AVX-512), added in a fixed order: the same bits from every clone.
          float partial[16] = {0};
          float tail = 0;
          for (int oh = 0; oh < ho; oh++) {
            const int ih = oh - g->padding + kh;
            if (ih < 0 || ih >= height) continue;
            const float *restrict a = dy + (ptrdiff_t)(o * ho + oh) * wo;
            const float *restrict b = x + (ptrdiff_t)(c * height + ih) * width + (kw - g->padding);
            int j = lo;
            for (; j + 16 <= hi; j += 16)
              for (int lane = 0; lane < 16; lane++) partial[lane] += a[j + lane] * b[j + lane];
            for (; j < hi; j++) tail += a[j] * b[j];
          }
          for (int step = 8; step >= 1; step /= 2)
            for (int lane = 0; lane < step; lane++) partial[lane] += partial[lane + step];
          dw[((o * c_count + c) * kh_count + kh) * kw_count + kw] += partial[0] + tail;
        }
}

// Twelve independent accumulators cover an FMA latency of four to six
// cycles on two pipes; each is one vector register of the widest kind the
// CPU has (AVX-512: zmm, AVX2: ymm, else four lanes), written with
// intrinsics so the compiler's preference for 256-bit vectors does not
// narrow them. The chain runs through the addend, as in a matrix product's
// inner loop: on Zen 5 a chain through the multiplicand issues half as often.
#define GTN_FMA_ROUNDS(name, width, vector, attributes, splat, fma)                                                \
  attributes static float name(long iterations, float start, float step, float multiplier, float addend) {      \
    enum { chains = 12 };                                                                                         \
    float lanes[chains * width];                                                                                  \
    vector acc[chains];                                                                                           \
    for (int c = 0; c < chains; c++) {                                                                            \
      for (int lane = 0; lane < width; lane++) lanes[c * width + lane] = start + (float)(c * width + lane) * step; \
      memcpy(&acc[c], &lanes[c * width], sizeof(vector));                                                         \
    }                                                                                                             \
    const vector m = splat(multiplier), a = splat(addend);                                                        \
    for (long i = 0; i < iterations; i++)                                                                         \
      for (int c = 0; c < chains; c++) acc[c] = fma(m, a, acc[c]);                                               \
    memcpy(lanes, acc, sizeof acc);                                                                               \
    float sum = 0;                                                                                                \
    for (int k = 0; k < chains * width; k++) sum += lanes[k];                                                     \
    return sum;                                                                                                   \
  }

typedef float gtn_v4 __attribute__((vector_size(16), aligned(4)));
static inline gtn_v4 gtn_v4_splat(float x) { return (gtn_v4){x, x, x, x}; }
static inline gtn_v4 gtn_v4_fma(gtn_v4 m, gtn_v4 a, gtn_v4 acc) { return __builtin_elementwise_fma(m, a, acc); }
GTN_FMA_ROUNDS(gtn_fma_rounds_4, 4, gtn_v4, , gtn_v4_splat, gtn_v4_fma)

#if GTN_HAS_CLONES
#include <immintrin.h>
#define GTN_AVX2 __attribute__((target("avx2,fma")))
#define GTN_AVX512 __attribute__((target("avx512f")))
GTN_AVX2 static inline __m256 gtn_v8_splat(float x) { return _mm256_set1_ps(x); }
GTN_AVX2 static inline __m256 gtn_v8_fma(__m256 m, __m256 a, __m256 acc) { return _mm256_fmadd_ps(m, a, acc); }
GTN_FMA_ROUNDS(gtn_fma_rounds_8, 8, __m256_u, GTN_AVX2, gtn_v8_splat, gtn_v8_fma)
GTN_AVX512 static inline __m512 gtn_v16_splat(float x) { return _mm512_set1_ps(x); }
GTN_AVX512 static inline __m512 gtn_v16_fma(__m512 m, __m512 a, __m512 acc) { return _mm512_fmadd_ps(m, a, acc); }
GTN_FMA_ROUNDS(gtn_fma_rounds_16, 16, __m512_u, GTN_AVX512, gtn_v16_splat, gtn_v16_fma)
#endif

float gtn_fma_rounds(long iterations, float start, float step, float multiplier, float addend, int *lanes) {
#if GTN_HAS_CLONES
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) {
    *lanes = 12 * 16;
    return gtn_fma_rounds_16(iterations, start, step, multiplier, addend);
  }
  if (__builtin_cpu_supports("x86-64-v3")) {
    *lanes = 12 * 8;
    return gtn_fma_rounds_8(iterations, start, step, multiplier, addend);
  }
#endif
  *lanes = 12 * 4;
  return gtn_fma_rounds_4(iterations, start, step, multiplier, addend);
}
