// 2-D convolutions and bf16 matrix products on oneDNN (see
// include/GTNConvolution.h).
//
// Every call describes its tensors in plain layouts and lets oneDNN choose
// its preferred (blocked) layouts ("any"); operands are reordered into those
// layouts (and data types: reorders round float32 to bfloat16 to nearest
// even) and the result back into the caller's buffer. Primitive
// descriptors are created per call; oneDNN's own primitive cache makes the
// primitives themselves cheap to recreate for repeated shapes.
#include "GTNConvolution.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <string.h>

void omp_set_num_threads(int);

static dnnl_engine_t shared_engine;
static dnnl_status_t engine_status = dnnl_runtime_error;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void create_engine(void) { engine_status = dnnl_engine_create(&shared_engine, dnnl_cpu, 0); }

static dnnl_engine_t engine(void) {
  pthread_once(&engine_once, create_engine);
  return engine_status == dnnl_success ? shared_engine : NULL;
}

int gtn_dnnl_available(void) { return engine() != NULL; }

#define CHECK(call)                        \
  do {                                     \
    dnnl_status_t status_ = (call);        \
    if (status_ != dnnl_success) {         \
      result = (int)status_;               \
      goto done;                           \
    }                                      \
  } while (0)

/// A plain descriptor and the primitive's descriptor of one operand, with
/// the caller's buffer and, when the layouts differ, a library buffer.
typedef struct {
  dnnl_memory_desc_t plain;
  const dnnl_memory_desc_t *wanted;
  dnnl_memory_t user, internal;
} operand;

static dnnl_status_t reorder(dnnl_engine_t e, dnnl_stream_t s, dnnl_memory_t from, dnnl_memory_t to) {
  const dnnl_memory_desc_t *from_md, *to_md;
  dnnl_memory_get_memory_desc(from, &from_md);
  dnnl_memory_get_memory_desc(to, &to_md);
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_t primitive = NULL;
  dnnl_status_t status = dnnl_reorder_primitive_desc_create(&pd, from_md, e, to_md, e, NULL);
  if (status == dnnl_success) status = dnnl_primitive_create(&primitive, pd);
  if (status == dnnl_success) {
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    status = dnnl_primitive_execute(primitive, s, 2, args);
  }
  if (primitive) dnnl_primitive_destroy(primitive);
  if (pd) dnnl_primitive_desc_destroy(pd);
  return status;
}

/// Wraps the caller's buffer; makes a library buffer in the primitive's
/// layout when it differs, filled from the caller's buffer for inputs.
static dnnl_status_t prepare(operand *op, dnnl_engine_t e, dnnl_stream_t s, const float *data, int is_input) {
  dnnl_status_t status = dnnl_memory_create(&op->user, &op->plain, e, (void *)data);
  if (status != dnnl_success) return status;
  if (dnnl_memory_desc_equal(op->wanted, &op->plain)) return dnnl_success;
  status = dnnl_memory_create(&op->internal, op->wanted, e, DNNL_MEMORY_ALLOCATE);
  if (status != dnnl_success || !is_input) return status;
  return reorder(e, s, op->user, op->internal);
}

static dnnl_memory_t memory(const operand *op) { return op->internal ? op->internal : op->user; }

static void release(operand *op) {
  if (op->internal) dnnl_memory_destroy(op->internal);
  if (op->user) dnnl_memory_destroy(op->user);
}

/// The data types of x, w and y.
typedef struct {
  dnnl_data_type_t x, w, y;
} types;

static const types all_f32 = {dnnl_f32, dnnl_f32, dnnl_f32};

static void describe(const gtn_conv_geometry *g, dnnl_memory_desc_t *x, dnnl_memory_desc_t *w, dnnl_memory_desc_t *y,
                     dnnl_format_tag_t activations, dnnl_format_tag_t weights, types t) {
  dnnl_dims_t xd = {g->batch, g->input_channels, g->height, g->width};
  dnnl_dims_t wd = {g->output_channels, g->input_channels, g->kernel_height, g->kernel_width};
  dnnl_dims_t yd = {g->batch, g->output_channels, g->output_height, g->output_width};
  dnnl_memory_desc_init_by_tag(x, 4, xd, t.x, activations);
  dnnl_memory_desc_init_by_tag(w, 4, wd, t.w, weights);
  dnnl_memory_desc_init_by_tag(y, 4, yd, t.y, activations);
}

static void window(const gtn_conv_geometry *g, dnnl_dims_t strides, dnnl_dims_t left, dnnl_dims_t right) {
  strides[0] = strides[1] = g->stride;
  left[0] = left[1] = g->padding;
  // The padding on the far side that makes exactly output_height rows.
  right[0] = (g->output_height - 1) * g->stride + g->kernel_height - g->height - g->padding;
  right[1] = (g->output_width - 1) * g->stride + g->kernel_width - g->width - g->padding;
}

/// The forward primitive descriptor (also the hint for the backward ones).
static dnnl_status_t forward_descriptor(const gtn_conv_geometry *g, dnnl_engine_t e, int with_bias, types t,
                                        dnnl_primitive_desc_t *pd) {
  dnnl_memory_desc_t x, w, y, b;
  describe(g, &x, &w, &y, dnnl_format_tag_any, dnnl_format_tag_any, t);
  dnnl_dims_t bd = {g->output_channels};
  dnnl_memory_desc_init_by_tag(&b, 1, bd, dnnl_f32, dnnl_x);
  dnnl_dims_t strides, left, right;
  window(g, strides, left, right);
  dnnl_convolution_desc_t d;
  dnnl_status_t status = dnnl_convolution_forward_desc_init(
      &d, dnnl_forward_training, dnnl_convolution_direct, &x, &w, with_bias ? &b : NULL, &y, strides, left, right);
  if (status != dnnl_success) return status;
  return dnnl_primitive_desc_create(pd, &d, NULL, e, NULL);
}

/// The three passes of a convolution, each run by one oneDNN primitive.
typedef enum { pass_forward, pass_backward_data, pass_backward_weights } pass;

/// An operand's part in a pass: its execution argument, the query for the
/// layout the primitive wants, and which plain tensor it is (0: x, 1: w, 2: y).
typedef struct {
  int argument;
  dnnl_query_t query;
  int tensor;
} role;

/// The two inputs and the output of each pass, in the order of `run`'s
/// `inputs` and `output`.
static const role roles[3][3] = {
    [pass_forward] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0}, {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 1},
                      {DNNL_ARG_DST, dnnl_query_dst_md, 2}},
    [pass_backward_data] = {{DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, 2}, {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 1},
                            {DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, 0}},
    [pass_backward_weights] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0}, {DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, 2},
                               {DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, 1}},
};

/// The primitive descriptor of a backward pass, with the forward one as its hint.
static dnnl_status_t backward_descriptor(const gtn_conv_geometry *g, dnnl_engine_t e, pass p, types t,
                                         dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd) {
  dnnl_memory_desc_t x, w, y;
  describe(g, &x, &w, &y, dnnl_format_tag_any, dnnl_format_tag_any, t);
  dnnl_dims_t strides, left, right;
  window(g, strides, left, right);
  dnnl_convolution_desc_t d;
  dnnl_status_t status = p == pass_backward_data
      ? dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &x, &w, &y, strides, left, right)
      : dnnl_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, &x, &w, NULL, &y, strides, left, right);
  if (status != dnnl_success) return status;
  return dnnl_primitive_desc_create(pd, &d, NULL, e, hint);
}

/// The data types of pass `p`'s x, w and y: float32, or with bf16 products
/// the pass's two inputs in bfloat16 and its output in float32.
static types pass_types(pass p, gtn_products products) {
  if (products != gtn_products_bf16) return all_f32;
  types t = {dnnl_bf16, dnnl_bf16, dnnl_bf16};
  if (p == pass_forward) t.y = dnnl_f32;
  if (p == pass_backward_data) t.x = dnnl_f32;
  if (p == pass_backward_weights) t.w = dnnl_f32;
  return t;
}

/// Runs pass `p` on the caller's plain (NCHW, OIHW) buffers: `inputs` in the
/// order of `roles[p]`, `bias` (forward only, may be NULL), `output`.
static int run(const gtn_conv_geometry *g, pass p, gtn_products products, const float *inputs[2], const float *bias,
               float *output) {
  omp_set_num_threads(1);
  dnnl_engine_t e = engine();
  if (!e) return (int)dnnl_runtime_error;
  int result = 0;
  dnnl_stream_t s = NULL;
  dnnl_primitive_desc_t hint = NULL, pd = NULL;
  dnnl_primitive_t conv = NULL;
  operand ops[3] = {{0}}, ob = {0};
  CHECK(dnnl_stream_create(&s, e, dnnl_stream_default_flags));
  types t = pass_types(p, products);
  if (p == pass_forward) {
    CHECK(forward_descriptor(g, e, bias != NULL, t, &pd));
  } else {
    // The hint: the forward pass with the same precision of products.
    CHECK(forward_descriptor(g, e, 0, pass_types(pass_forward, products), &hint));
    CHECK(backward_descriptor(g, e, p, t, hint, &pd));
  }
  dnnl_memory_desc_t plain[3];
  describe(g, &plain[0], &plain[1], &plain[2], dnnl_nchw, dnnl_oihw, all_f32);
  dnnl_exec_arg_t args[4];
  int count = 0;
  for (int i = 0; i < 3; i++) {
    ops[i].plain = plain[roles[p][i].tensor];
    ops[i].wanted = dnnl_primitive_desc_query_md(pd, roles[p][i].query, 0);
    CHECK(prepare(&ops[i], e, s, i < 2 ? inputs[i] : output, i < 2));
    args[count++] = (dnnl_exec_arg_t){roles[p][i].argument, memory(&ops[i])};
  }
  if (bias) {
    dnnl_dims_t bd = {g->output_channels};
    dnnl_memory_desc_init_by_tag(&ob.plain, 1, bd, dnnl_f32, dnnl_x);
    ob.wanted = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1);
    CHECK(prepare(&ob, e, s, bias, 1));
    args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, memory(&ob)};
  }
  CHECK(dnnl_primitive_create(&conv, pd));
  CHECK(dnnl_primitive_execute(conv, s, count, args));
  if (ops[2].internal) CHECK(reorder(e, s, ops[2].internal, ops[2].user));
  CHECK(dnnl_stream_wait(s));
done:
  for (int i = 0; i < 3; i++) release(&ops[i]);
  release(&ob);
  if (conv) dnnl_primitive_destroy(conv);
  if (pd) dnnl_primitive_desc_destroy(pd);
  if (hint) dnnl_primitive_desc_destroy(hint);
  if (s) dnnl_stream_destroy(s);
  return result;
}

int gtn_dnnl_conv_forward(const gtn_conv_geometry *g, gtn_products p, const float *x, const float *w, const float *b, float *y) {
  const float *inputs[2] = {x, w};
  return run(g, pass_forward, p, inputs, b, y);
}

int gtn_dnnl_conv_backward_data(const gtn_conv_geometry *g, gtn_products p, const float *dy, const float *w, float *dx) {
  const float *inputs[2] = {dy, w};
  return run(g, pass_backward_data, p, inputs, NULL, dx);
}

int gtn_dnnl_conv_backward_weights(const gtn_conv_geometry *g, gtn_products p, const float *x, const float *dy, float *dw) {
  const float *inputs[2] = {x, dy};
  return run(g, pass_backward_weights, p, inputs, NULL, dw);
}

/// A row-major matrix of `rows`×`columns` floats with leading dimension
/// `ld`, read transposed when `transposed` (then stored columns×rows).
static void describe_matrix(dnnl_memory_desc_t *md, int rows, int columns, int ld, int transposed, dnnl_data_type_t type) {
  dnnl_dims_t dims = {rows, columns};
  dnnl_dims_t strides = {transposed ? 1 : ld, transposed ? ld : 1};
  dnnl_memory_desc_init_by_strides(md, 2, dims, type, strides);
}

int gtn_dnnl_matmul_bf16(int transpose_a, int transpose_b, int m, int n, int k, const float *a, int lda, const float *b,
                         int ldb, float *c, int ldc, int accumulate) {
  omp_set_num_threads(1);
  dnnl_engine_t e = engine();
  if (!e) return (int)dnnl_runtime_error;
  int result = 0;
  dnnl_stream_t s = NULL;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_t matmul = NULL;
  operand oa = {0}, ob = {0};
  dnnl_memory_t oc = NULL;
  CHECK(dnnl_stream_create(&s, e, dnnl_stream_default_flags));
  dnnl_memory_desc_t a_bf16, b_any, c_md;
  dnnl_dims_t a_dims = {m, k}, b_dims = {k, n};
  dnnl_memory_desc_init_by_tag(&a_bf16, 2, a_dims, dnnl_bf16, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&b_any, 2, b_dims, dnnl_bf16, dnnl_format_tag_any);
  describe_matrix(&c_md, m, n, ldc, 0, dnnl_f32);
  CHECK(dnnl_primitive_attr_create(&attr));
  if (accumulate) {
    CHECK(dnnl_post_ops_create(&post_ops));
    CHECK(dnnl_post_ops_append_sum(post_ops, 1.0f));
    CHECK(dnnl_primitive_attr_set_post_ops(attr, post_ops));
  }
  dnnl_matmul_desc_t d;
  CHECK(dnnl_matmul_desc_init(&d, &a_bf16, &b_any, NULL, &c_md));
  CHECK(dnnl_primitive_desc_create(&pd, &d, attr, e, NULL));
  describe_matrix(&oa.plain, m, k, lda, transpose_a, dnnl_f32);
  oa.wanted = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
  CHECK(prepare(&oa, e, s, a, 1));
  describe_matrix(&ob.plain, k, n, ldb, transpose_b, dnnl_f32);
  ob.wanted = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  CHECK(prepare(&ob, e, s, b, 1));
  CHECK(dnnl_memory_create(&oc, &c_md, e, c));
  dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, memory(&oa)}, {DNNL_ARG_WEIGHTS, memory(&ob)}, {DNNL_ARG_DST, oc}};
  CHECK(dnnl_primitive_create(&matmul, pd));
  CHECK(dnnl_primitive_execute(matmul, s, 3, args));
  CHECK(dnnl_stream_wait(s));
done:
  release(&oa);
  release(&ob);
  if (oc) dnnl_memory_destroy(oc);
  if (matmul) dnnl_primitive_destroy(matmul);
  if (pd) dnnl_primitive_desc_destroy(pd);
  if (post_ops) dnnl_post_ops_destroy(post_ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
  if (s) dnnl_stream_destroy(s);
  return result;
}

const char *gtn_dnnl_cpu_isa(void) {
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
  }
}
