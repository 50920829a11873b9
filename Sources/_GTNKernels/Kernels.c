#include "GTNKernels.h"

#include <stdint.h>
#include <stdlib.h>
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

/// `y[j] += a · x[j]` for `j < n`.
static inline __attribute__((always_inline)) void gtn_axpy(float *restrict y, float a, const float *restrict x,
                                                           ptrdiff_t n) {
  for (ptrdiff_t j = 0; j < n; j++) y[j] += a * x[j];
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
            gtn_axpy(dst + lo, tap, src + lo, hi - lo);
          }
        }
}

static inline __attribute__((always_inline)) void gtn_direct_convolution_rows(const gtn_direct_geometry *g,
    const float *restrict x, const float *restrict w, float *restrict y) {
  gtn_direct_taps(g, w, x, y, 0);
}

static inline __attribute__((always_inline)) void gtn_direct_input_gradient_rows(const gtn_direct_geometry *g,
    const float *restrict dy, const float *restrict w, float *restrict dx) {
  gtn_direct_taps(g, w, dy, dx, 1);
}

static inline __attribute__((always_inline)) void gtn_direct_filter_gradient_rows(const gtn_direct_geometry *g,
    const float *restrict x, const float *restrict dy, float *restrict dw) {
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

// The kernels proper run on zero-padded copies of the planes, laid out with
// the padded width, so that every filter tap is one long multiply-add over
// a whole plane at a fixed offset instead of a short one per row (28
// columns on MNIST, where loop overhead took most of the time). Columns of
// the result beyond the output's width are scratch and dropped. Products
// with the padding's zeros add ±0, which leaves every sum as it was (up to
// the sign of an exact zero; an infinite tap or input value makes such a
// product NaN, where the row loops skipped it). The row-by-row loops above
// remain for when the scratch memory cannot be had.

/// The geometry of a stride-1 convolution whose output is `H + 2p − KH + 1`
/// by `W + 2p − KW + 1` (what the padded layouts assume).
static inline int gtn_direct_is_regular(const gtn_direct_geometry *g) {
  return g->output_height == g->height + 2 * g->padding - g->kernel_height + 1 &&
         g->output_width == g->width + 2 * g->padding - g->kernel_width + 1 && g->output_height > 0 &&
         g->output_width > 0;
}

/// Copies the `rows`×`columns` planes `from` (`planes` of them, contiguous)
/// into zeroed planes of `plane` floats with row length `stride`, the first
/// element at `offset` of each.
static void gtn_padded_planes(const float *restrict from, int planes, int rows, int columns, float *restrict to,
                              ptrdiff_t plane, int stride, ptrdiff_t offset) {
  memset(to, 0, sizeof(float) * (size_t)(plane * planes));
  for (int q = 0; q < planes; q++)
    for (int r = 0; r < rows; r++)
      memcpy(to + q * plane + offset + (ptrdiff_t)r * stride, from + ((ptrdiff_t)q * rows + r) * columns,
             sizeof(float) * (size_t)columns);
}

/// Copies the `rows`×`columns` plane `from` into rows of length `stride`
/// at `to`, zeroing each row's last `stride − columns` floats.
static void gtn_widened_rows(const float *restrict from, int rows, int columns, float *restrict to, int stride) {
  for (int r = 0; r < rows; r++) {
    memcpy(to + (ptrdiff_t)r * stride, from + (ptrdiff_t)r * columns, sizeof(float) * (size_t)columns);
    memset(to + (ptrdiff_t)r * stride + columns, 0, sizeof(float) * (size_t)(stride - columns));
  }
}

/// Copies the first `columns` floats of each of `rows` rows of length
/// `stride` at `from` into the `rows`×`columns` plane `to`.
static void gtn_narrowed_rows(const float *restrict from, int rows, int columns, float *restrict to, int stride) {
  for (int r = 0; r < rows; r++)
    memcpy(to + (ptrdiff_t)r * columns, from + (ptrdiff_t)r * stride, sizeof(float) * (size_t)columns);
}

/// The sum of `a[j]·b[j]` for `j < n` in sixty-four interleaved partial
/// sums (four vector registers at AVX-512, so that no sum waits on the one
/// before it), then sixteen, then one, added in a fixed order.
static inline __attribute__((always_inline)) float gtn_flat_dot(const float *restrict a, const float *restrict b,
                                                                ptrdiff_t n) {
  float partial[64] = {0};
  float tail = 0;
  ptrdiff_t j = 0;
  for (; j + 64 <= n; j += 64)
    for (int lane = 0; lane < 64; lane++) partial[lane] += a[j + lane] * b[j + lane];
  for (; j + 16 <= n; j += 16)
    for (int lane = 0; lane < 16; lane++) partial[lane] += a[j + lane] * b[j + lane];
  for (; j < n; j++) tail += a[j] * b[j];
  for (int step = 32; step >= 1; step /= 2)
    for (int lane = 0; lane < step; lane++) partial[lane] += partial[lane + step];
  return partial[0] + tail;
}

/// Adds `taps[kh, kw] ×` the plane `source` shifted by `kh·stride + kw`
/// (`direction` 1) or by `−(kh·stride + kw)` (`direction` −1, the flipped
/// filter) into `acc`, over `span` floats, taps in row-major order.
static inline __attribute__((always_inline)) void gtn_add_shifted_taps(float *restrict acc, const float *restrict taps,
                                                                       int kh_count, int kw_count,
                                                                       const float *restrict source, int stride,
                                                                       int direction, ptrdiff_t span) {
  for (int kh = 0; kh < kh_count; kh++)
    // One tap at a time: vectorising across taps would gather.
#pragma clang loop vectorize(disable) interleave(disable)
    for (int kw = 0; kw < kw_count; kw++)
      gtn_axpy(acc, taps[kh * kw_count + kw], source + direction * ((ptrdiff_t)kh * stride + kw), span);
}

GTN_MULTIVERSIONED
void gtn_direct_convolution_add(const gtn_direct_geometry *g, const float *restrict x, const float *restrict w,
                                float *restrict y) {
  const int c_count = g->input_channels, kh_count = g->kernel_height, kw_count = g->kernel_width;
  const int ho = g->output_height, wo = g->output_width, p = g->padding;
  const int wp = g->width + 2 * p;
  // Padded input planes, with slack for the last taps' reads past the
  // last row; the output accumulates in rows of the padded width.
  const ptrdiff_t plane = (ptrdiff_t)(g->height + 2 * p) * wp + kw_count, span = (ptrdiff_t)ho * wp;
  float *xp = gtn_direct_is_regular(g) ? malloc(sizeof(float) * (size_t)(plane * c_count + span)) : NULL;
  if (!xp) {
    gtn_direct_convolution_rows(g, x, w, y);
    return;
  }
  float *restrict acc = xp + plane * c_count;
  gtn_padded_planes(x, c_count, g->height, g->width, xp, plane, wp, (ptrdiff_t)p * wp + p);
  for (int o = 0; o < g->output_channels; o++) {
    float *yo = y + (ptrdiff_t)o * ho * wo;
    gtn_widened_rows(yo, ho, wo, acc, wp);
    for (int c = 0; c < c_count; c++)
      gtn_add_shifted_taps(acc, w + (ptrdiff_t)(o * c_count + c) * kh_count * kw_count, kh_count, kw_count,
                           xp + c * plane, wp, 1, span);
    gtn_narrowed_rows(acc, ho, wo, yo, wp);
  }
  free(xp);
}

GTN_MULTIVERSIONED
void gtn_direct_input_gradient_add(const gtn_direct_geometry *g, const float *restrict dy, const float *restrict w,
                                   float *restrict dx) {
  // The transposed convolution as a correlation of the output gradient,
  // padded by KH − 1 rows and KW − 1 columns on every side, with the
  // flipped filter: dx[c, i, j] += Σ w[o, c, kh, kw] · dy[o, i + p − kh, j + p − kw],
  // taps in the order (o, kh, kw) for every element, as in the row loops.
  const int c_count = g->input_channels, kh_count = g->kernel_height, kw_count = g->kernel_width;
  const int o_count = g->output_channels, height = g->height, width = g->width, p = g->padding;
  const int wq = g->output_width + 2 * (kw_count - 1);
  const ptrdiff_t plane = (ptrdiff_t)(g->output_height + 2 * (kh_count - 1)) * wq + kw_count + p;
  const ptrdiff_t span = (ptrdiff_t)height * wq;
  float *dyp = gtn_direct_is_regular(g) ? malloc(sizeof(float) * (size_t)(plane * o_count + span)) : NULL;
  if (!dyp) {
    gtn_direct_input_gradient_rows(g, dy, w, dx);
    return;
  }
  float *restrict acc = dyp + plane * o_count;
  gtn_padded_planes(dy, o_count, g->output_height, g->output_width, dyp, plane, wq,
                    (ptrdiff_t)(kh_count - 1) * wq + (kw_count - 1));
  for (int c = 0; c < c_count; c++) {
    float *dxc = dx + (ptrdiff_t)c * height * width;
    gtn_widened_rows(dxc, height, width, acc, wq);
    for (int o = 0; o < o_count; o++)
      gtn_add_shifted_taps(acc, w + (ptrdiff_t)(o * c_count + c) * kh_count * kw_count, kh_count, kw_count,
                           dyp + o * plane + (ptrdiff_t)(p + kh_count - 1) * wq + (p + kw_count - 1), wq, -1, span);
    gtn_narrowed_rows(acc, height, width, dxc, wq);
  }
  free(dyp);
}

GTN_MULTIVERSIONED
void gtn_direct_filter_gradient_add(const gtn_direct_geometry *g, const float *restrict x, const float *restrict dy,
                                    float *restrict dw) {
  // dw[o, c, kh, kw] += Σ dy[o, i, j] · x[c, i − p + kh, j − p + kw]: one dot
  // product of the output gradient, in rows of the padded width with zeros
  // beyond the output's, with the padded input at the tap's offset.
  const int c_count = g->input_channels, kh_count = g->kernel_height, kw_count = g->kernel_width;
  const int o_count = g->output_channels, ho = g->output_height, wo = g->output_width, p = g->padding;
  const int wp = g->width + 2 * p;
  const ptrdiff_t plane = (ptrdiff_t)(g->height + 2 * p) * wp + kw_count, span = (ptrdiff_t)ho * wp;
  float *xp = gtn_direct_is_regular(g) ? malloc(sizeof(float) * (size_t)(plane * c_count + span * o_count)) : NULL;
  if (!xp) {
    gtn_direct_filter_gradient_rows(g, x, dy, dw);
    return;
  }
  float *restrict dyq = xp + plane * c_count;
  gtn_padded_planes(x, c_count, g->height, g->width, xp, plane, wp, (ptrdiff_t)p * wp + p);
  gtn_padded_planes(dy, o_count, ho, wo, dyq, span, wp, 0);
  for (int o = 0; o < o_count; o++)
    for (int c = 0; c < c_count; c++)
      for (int kh = 0; kh < kh_count; kh++)
        // One tap at a time: vectorising across taps would gather.
#pragma clang loop vectorize(disable) interleave(disable)
        for (int kw = 0; kw < kw_count; kw++)
          dw[((o * c_count + c) * kh_count + kh) * kw_count + kw] +=
              gtn_flat_dot(dyq + o * span, xp + c * plane + (ptrdiff_t)kh * wp + kw, span);
  free(xp);
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
