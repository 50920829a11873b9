// Checks that every instruction-set clone of the kernels in Kernels.c gives
// the same bits as the one the loader picked, on this CPU, for the clones it
// can run. The clones are reached by their symbol names (clang's
// `name.arch_<level>.<index>` / `name.default.<index>`), declared weak: a
// compiler that names them otherwise leaves them null and they are skipped.

#include "GTNKernels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && defined(__clang__)

#define GTN_CLONES(name, ret, params)                                                          \
  extern ret name##_v4 params __asm__(#name ".arch_x86-64-v4.0") __attribute__((weak));       \
  extern ret name##_v3 params __asm__(#name ".arch_x86-64-v3.1") __attribute__((weak));       \
  extern ret name##_base params __asm__(#name ".default.2") __attribute__((weak));

GTN_CLONES(gtn_tanh, void, (const float *, float *, ptrdiff_t))
GTN_CLONES(gtn_tanh_backward, void, (const float *, const float *, float *, ptrdiff_t))
GTN_CLONES(gtn_leaky_relu, void, (const float *, float *, ptrdiff_t, float))
GTN_CLONES(gtn_scaled_by_sign, void, (const float *, const float *, float *, ptrdiff_t, float))
GTN_CLONES(gtn_scaled_add, void, (const float *, float, const float *, float *, ptrdiff_t))
GTN_CLONES(gtn_accumulate, void, (float *, const float *, ptrdiff_t, float))
GTN_CLONES(gtn_binary, void, (int, const float *, ptrdiff_t, const float *, ptrdiff_t, float *, ptrdiff_t))
GTN_CLONES(gtn_sum_of_squares, double, (const float *, ptrdiff_t))
GTN_CLONES(gtn_direct_convolution_add, void, (const gtn_direct_geometry *, const float *, const float *, float *))
GTN_CLONES(gtn_direct_input_gradient_add, void, (const gtn_direct_geometry *, const float *, const float *, float *))
GTN_CLONES(gtn_direct_filter_gradient_add, void, (const gtn_direct_geometry *, const float *, const float *, float *))
GTN_CLONES(gtn_adam, void, (float *, float *, float *, const float *, ptrdiff_t, float, float, float, float, float,
                            float, float))

enum { N = 1037 };  // not a multiple of any vector width: every tail runs

static uint64_t state = 0x9E3779B97F4A7C15u;
static float next_float(void) {
  state = state * 6364136223846793005u + 1442695040888963407u;
  return (float)((int32_t)(state >> 32)) / 2.0e9f * 6.0f;
}

static void fill(float *x) {
  static const float special[] = {0.0f, -0.0f, 1e30f, -1e30f, 1e-40f, -1e-40f, 9.5f, -10.5f, 30.0f};
  for (int i = 0; i < N; i++) x[i] = i % 13 == 5 ? special[(i / 13) % 9] : next_float();
}

static int same(const float *a, const float *b, int n) { return memcmp(a, b, sizeof(float) * (size_t)n) == 0; }

/// Runs every kernel through `level`'s clones (2: x86-64-v4, 1: x86-64-v3,
/// 0: baseline) and through the dispatched entry point; returns the number
/// of kernels whose results differ, or -1 when that level's clones are
/// missing or this CPU cannot run them.
static int check_level(int level) {
#define PICK(name) (level == 2 ? name##_v4 : level == 1 ? name##_v3 : name##_base)
  if (level == 2 && !__builtin_cpu_supports("x86-64-v4")) return -1;
  if (level == 1 && !__builtin_cpu_supports("x86-64-v3")) return -1;
  if (!PICK(gtn_tanh) || !PICK(gtn_tanh_backward) || !PICK(gtn_leaky_relu) || !PICK(gtn_scaled_by_sign) ||
      !PICK(gtn_scaled_add) || !PICK(gtn_accumulate) || !PICK(gtn_binary) || !PICK(gtn_sum_of_squares) ||
      !PICK(gtn_adam) || !PICK(gtn_direct_convolution_add) || !PICK(gtn_direct_input_gradient_add) ||
      !PICK(gtn_direct_filter_gradient_add))
    return -1;
  float *x = malloc(sizeof(float) * N * 8);
  if (!x) return -1;
  float *y = x + N, *a = x + 2 * N, *b = x + 3 * N, *p = x + 4 * N, *m = x + 5 * N, *v = x + 6 * N, *q = x + 7 * N;
  fill(x);
  fill(y);
  int differences = 0;
#define COMPARE(call_a, call_b) \
  do {                          \
    call_a;                     \
    call_b;                     \
    if (!same(a, b, N)) differences++; \
  } while (0)
  COMPARE(gtn_tanh(x, a, N), PICK(gtn_tanh)(x, b, N));
  COMPARE(gtn_tanh_backward(x, y, a, N), PICK(gtn_tanh_backward)(x, y, b, N));
  COMPARE(gtn_leaky_relu(x, a, N, 0.1f), PICK(gtn_leaky_relu)(x, b, N, 0.1f));
  COMPARE(gtn_scaled_by_sign(x, y, a, N, 0.1f), PICK(gtn_scaled_by_sign)(x, y, b, N, 0.1f));
  COMPARE(gtn_scaled_add(x, -0.7f, y, a, N), PICK(gtn_scaled_add)(x, -0.7f, y, b, N));
  COMPARE(gtn_scaled_add(x, 1.3f, NULL, a, N), PICK(gtn_scaled_add)(x, 1.3f, NULL, b, N));
  COMPARE((memcpy(a, y, sizeof(float) * N), gtn_accumulate(a, x, N, 0.25f)),
          (memcpy(b, y, sizeof(float) * N), PICK(gtn_accumulate)(b, x, N, 0.25f)));
  for (int op = 0; op < 4; op++) {
    for (int steps = 0; steps < 4; steps++) {
      ptrdiff_t sa = steps & 1, sb = steps >> 1;
      COMPARE(gtn_binary(op, x, sa, y, sb, a, N), PICK(gtn_binary)(op, x, sa, y, sb, b, N));
    }
  }
  // Direct convolutions: 2 channels of 13×37 (rows wider than a vector,
  // with tails), 2 output channels, 3×3 taps, padding 1; filter from y.
  const gtn_direct_geometry g = {2, 13, 37, 2, 3, 3, 1, 13, 37};
#define ZEROED(call, out) (memset(out, 0, sizeof(float) * N), call)
  COMPARE(ZEROED(gtn_direct_convolution_add(&g, x, y, a), a), ZEROED(PICK(gtn_direct_convolution_add)(&g, x, y, b), b));
  COMPARE(ZEROED(gtn_direct_input_gradient_add(&g, x, y, a), a),
          ZEROED(PICK(gtn_direct_input_gradient_add)(&g, x, y, b), b));
  COMPARE(ZEROED(gtn_direct_filter_gradient_add(&g, x, y, a), a),
          ZEROED(PICK(gtn_direct_filter_gradient_add)(&g, x, y, b), b));
#undef ZEROED
  double s1 = gtn_sum_of_squares(x, N), s2 = PICK(gtn_sum_of_squares)(x, N);
  if (memcmp(&s1, &s2, sizeof s1) != 0) differences++;
  // Adam: two runs from the same state must leave the same parameters and moments.
  for (int i = 0; i < N; i++) { p[i] = y[i]; m[i] = 0.1f * x[i]; v[i] = x[i] * x[i]; }
  memcpy(a, p, sizeof(float) * N);
  memcpy(q, m, sizeof(float) * N);
  float *v2 = malloc(sizeof(float) * N);
  if (!v2) { free(x); return -1; }
  memcpy(v2, v, sizeof(float) * N);
  memcpy(b, p, sizeof(float) * N);
  gtn_adam(a, m, v, x, N, 0.5f, 0.001f, 0.9f, 0.999f, 0.19f, 0.002f, 1e-8f);
  PICK(gtn_adam)(b, q, v2, x, N, 0.5f, 0.001f, 0.9f, 0.999f, 0.19f, 0.002f, 1e-8f);
  if (!same(a, b, N) || !same(m, q, N) || !same(v, v2, N)) differences++;
  free(v2);
  free(x);
  return differences;
#undef PICK
#undef COMPARE
}

int gtn_kernels_clone_differences(int *levels_checked) {
  int total = 0, checked = 0;
  for (int level = 0; level <= 2; level++) {
    int d = check_level(level);
    if (d < 0) continue;
    checked++;
    total += d;
  }
  *levels_checked = checked;
  return total;
}

#else

int gtn_kernels_clone_differences(int *levels_checked) {
  *levels_checked = 0;
  return 0;
}

#endif
