// 2-D convolutions and bf16 matrix products on oneDNN (see
// include/GTNConvolution.h).
//
// Every call describes its tensors in plain layouts and lets oneDNN choose
// its preferred (blocked) layouts ("any"); operands are reordered into those
// layouts (and data types: reorders round float32 to bfloat16 to nearest
// even) and the result back into the caller's buffer.
//
// What a call needs besides its data (the primitive, the reorders, memory
// objects wrapping the caller's buffers and library buffers in oneDNN's
// layouts) is a *plan*, built on a call's first use of a shape and kept per
// thread, so that the thousands of calls of a training step with the same
// few shapes only point the plan at their buffers and run. Plans are
// evicted least recently used first; their library buffers are bounded per
// thread, and a call whose buffers alone pass the bound builds its plan,
// runs it and destroys it. A plan's primitive is the one a fresh call would
// create (oneDNN chooses implementations from the descriptors alone), so
// results do not depend on what was kept.
#include "GTNConvolution.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
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

// MARK: Plans

/// An operand of a plan: a memory object that wraps the caller's buffer (its
/// handle set on every call) and, when the primitive wants another layout or
/// data type, a library buffer with the reorder between the two.
typedef struct {
  dnnl_memory_t user, internal;
  dnnl_primitive_t reorder;
  int argument, is_input;
} slot;

/// What identifies a plan: the kind of call and its shapes, zero-padded.
typedef struct {
  int values[16];
} plan_key;

/// A prepared call: its primitive and up to four operands in the order of
/// the buffers `execute` gets.
typedef struct {
  plan_key key;
  dnnl_primitive_t primitive;
  slot slots[4];
  int slot_count;
  size_t internal_bytes;
  unsigned long long last_use;
} plan;

/// The most plans a thread keeps.
enum { plan_capacity = 32 };

/// The most bytes of library buffers a thread's plans keep, and the most of
/// a single plan that is kept.
static const size_t kept_bytes_limit = (size_t)64 << 20;
static const size_t plan_bytes_limit = (size_t)4 << 20;

/// A thread's stream and plans.
typedef struct {
  dnnl_stream_t stream;
  plan plans[plan_capacity];
  int count;
  size_t internal_bytes;
  unsigned long long clock;
} plan_cache;

static void destroy_plan(plan *p) {
  if (p->primitive) dnnl_primitive_destroy(p->primitive);
  for (int i = 0; i < p->slot_count; i++) {
    slot *o = &p->slots[i];
    if (o->reorder) dnnl_primitive_destroy(o->reorder);
    if (o->internal) dnnl_memory_destroy(o->internal);
    if (o->user) dnnl_memory_destroy(o->user);
  }
  memset(p, 0, sizeof *p);
}

static pthread_key_t cache_key;
static int cache_key_status = -1;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void destroy_cache(void *value) {
  plan_cache *c = value;
  for (int i = 0; i < c->count; i++) destroy_plan(&c->plans[i]);
  if (c->stream) dnnl_stream_destroy(c->stream);
  free(c);
}

static void create_cache_key(void) { cache_key_status = pthread_key_create(&cache_key, destroy_cache); }

/// The calling thread's plans, created on first use; NULL when out of memory.
static plan_cache *thread_cache(dnnl_engine_t e) {
  pthread_once(&cache_once, create_cache_key);
  if (cache_key_status != 0) return NULL;
  plan_cache *c = pthread_getspecific(cache_key);
  if (c) return c;
  c = calloc(1, sizeof *c);
  if (!c) return NULL;
  if (dnnl_stream_create(&c->stream, e, dnnl_stream_default_flags) != dnnl_success || pthread_setspecific(cache_key, c) != 0) {
    if (c->stream) dnnl_stream_destroy(c->stream);
    free(c);
    return NULL;
  }
  return c;
}

static plan *find_plan(plan_cache *c, const plan_key *key) {
  for (int i = 0; i < c->count; i++) {
    if (memcmp(&c->plans[i].key, key, sizeof *key) == 0) {
      c->plans[i].last_use = ++c->clock;
      return &c->plans[i];
    }
  }
  return NULL;
}

/// Keeps a freshly built plan, evicting the least recently used ones to make
/// room; its place in the cache, or NULL when it is too large to keep (the
/// caller then destroys it after use).
static plan *keep_plan(plan_cache *c, const plan *fresh) {
  if (fresh->internal_bytes > plan_bytes_limit) return NULL;
  while (c->count > 0 && (c->count == plan_capacity || c->internal_bytes + fresh->internal_bytes > kept_bytes_limit)) {
    int oldest = 0;
    for (int i = 1; i < c->count; i++)
      if (c->plans[i].last_use < c->plans[oldest].last_use) oldest = i;
    c->internal_bytes -= c->plans[oldest].internal_bytes;
    destroy_plan(&c->plans[oldest]);
    c->plans[oldest] = c->plans[--c->count];
  }
  plan *p = &c->plans[c->count++];
  *p = *fresh;
  p->last_use = ++c->clock;
  c->internal_bytes += p->internal_bytes;
  return p;
}

/// Adds an operand to a plan being built: `plain` describes the caller's
/// buffer, `wanted` what the primitive takes.
static dnnl_status_t add_slot(plan *p, dnnl_engine_t e, int argument, const dnnl_memory_desc_t *plain,
                              const dnnl_memory_desc_t *wanted, int is_input) {
  slot *o = &p->slots[p->slot_count++];
  o->argument = argument;
  o->is_input = is_input;
  dnnl_status_t status = dnnl_memory_create(&o->user, plain, e, DNNL_MEMORY_NONE);
  if (status != dnnl_success || dnnl_memory_desc_equal(wanted, plain)) return status;
  status = dnnl_memory_create(&o->internal, wanted, e, DNNL_MEMORY_ALLOCATE);
  if (status != dnnl_success) return status;
  p->internal_bytes += dnnl_memory_desc_get_size(wanted);
  dnnl_primitive_desc_t pd = NULL;
  status = is_input ? dnnl_reorder_primitive_desc_create(&pd, plain, e, wanted, e, NULL)
                    : dnnl_reorder_primitive_desc_create(&pd, wanted, e, plain, e, NULL);
  if (status == dnnl_success) status = dnnl_primitive_create(&o->reorder, pd);
  if (pd) dnnl_primitive_desc_destroy(pd);
  return status;
}

static dnnl_status_t run_reorder(const slot *o, dnnl_stream_t s) {
  dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, o->is_input ? o->user : o->internal},
                             {DNNL_ARG_TO, o->is_input ? o->internal : o->user}};
  return dnnl_primitive_execute(o->reorder, s, 2, args);
}

/// Runs a plan on the caller's buffers (one per slot, in slot order): the
/// inputs reordered, the primitive, the output reordered back.
static dnnl_status_t execute(const plan *p, dnnl_stream_t s, void *const *buffers) {
  dnnl_exec_arg_t args[4];
  dnnl_status_t status;
  for (int i = 0; i < p->slot_count; i++) {
    const slot *o = &p->slots[i];
    if ((status = dnnl_memory_set_data_handle(o->user, buffers[i])) != dnnl_success) return status;
    if (o->is_input && o->reorder && (status = run_reorder(o, s)) != dnnl_success) return status;
    args[i] = (dnnl_exec_arg_t){o->argument, o->internal ? o->internal : o->user};
  }
  if ((status = dnnl_primitive_execute(p->primitive, s, p->slot_count, args)) != dnnl_success) return status;
  for (int i = 0; i < p->slot_count; i++) {
    const slot *o = &p->slots[i];
    if (!o->is_input && o->reorder && (status = run_reorder(o, s)) != dnnl_success) return status;
  }
  return dnnl_stream_wait(s);
}

/// Runs the call `key` on `buffers` with the thread's plan for it, building
/// the plan with `build` (given the engine and `context`) on first use.
static int run_plan(const plan_key *key, void *const *buffers,
                    dnnl_status_t (*build)(plan *, dnnl_engine_t, const void *), const void *context) {
  omp_set_num_threads(1);
  dnnl_engine_t e = engine();
  if (!e) return (int)dnnl_runtime_error;
  plan_cache *c = thread_cache(e);
  if (!c) return (int)dnnl_out_of_memory;
  plan *found = find_plan(c, key);
  if (found) return (int)execute(found, c->stream, buffers);
  plan fresh;
  memset(&fresh, 0, sizeof fresh);
  fresh.key = *key;
  dnnl_status_t status = build(&fresh, e, context);
  if (status != dnnl_success) {
    destroy_plan(&fresh);
    return (int)status;
  }
  plan *kept = keep_plan(c, &fresh);
  status = execute(kept ? kept : &fresh, c->stream, buffers);
  if (!kept) destroy_plan(&fresh);
  return (int)status;
}

// MARK: Convolutions

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

/// What builds a convolution's plan.
typedef struct {
  const gtn_conv_geometry *geometry;
  pass which;
  gtn_products products;
  int with_bias;
} conv_call;

/// The plan of pass `p`: its operands in the order of `roles[p]`, then the
/// bias (forward only).
static dnnl_status_t build_conv_plan(plan *pl, dnnl_engine_t e, const void *context) {
  const conv_call *call = context;
  const gtn_conv_geometry *g = call->geometry;
  pass p = call->which;
  dnnl_primitive_desc_t hint = NULL, pd = NULL;
  dnnl_status_t status;
  if (p == pass_forward) {
    status = forward_descriptor(g, e, call->with_bias, pass_types(p, call->products), &pd);
  } else {
    // The hint: the forward pass with the same precision of products.
    status = forward_descriptor(g, e, 0, pass_types(pass_forward, call->products), &hint);
    if (status == dnnl_success) status = backward_descriptor(g, e, p, pass_types(p, call->products), hint, &pd);
  }
  dnnl_memory_desc_t plain[3];
  describe(g, &plain[0], &plain[1], &plain[2], dnnl_nchw, dnnl_oihw, all_f32);
  for (int i = 0; i < 3 && status == dnnl_success; i++) {
    const dnnl_memory_desc_t *wanted = dnnl_primitive_desc_query_md(pd, roles[p][i].query, 0);
    status = add_slot(pl, e, roles[p][i].argument, &plain[roles[p][i].tensor], wanted, i < 2);
  }
  if (status == dnnl_success && call->with_bias) {
    dnnl_memory_desc_t b;
    dnnl_dims_t bd = {g->output_channels};
    dnnl_memory_desc_init_by_tag(&b, 1, bd, dnnl_f32, dnnl_x);
    status = add_slot(pl, e, DNNL_ARG_BIAS, &b, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1), 1);
  }
  if (status == dnnl_success) status = dnnl_primitive_create(&pl->primitive, pd);
  if (pd) dnnl_primitive_desc_destroy(pd);
  if (hint) dnnl_primitive_desc_destroy(hint);
  return status;
}

/// Runs pass `p` on the caller's plain (NCHW, OIHW) buffers: `inputs` in the
/// order of `roles[p]`, `bias` (forward only, may be NULL), `output`.
static int run(const gtn_conv_geometry *g, pass p, gtn_products products, const float *inputs[2], const float *bias,
               float *output) {
  conv_call call = {g, p, products, bias != NULL};
  plan_key key;
  memset(&key, 0, sizeof key);
  int shape[] = {g->batch, g->input_channels, g->height, g->width, g->output_channels, g->kernel_height,
                 g->kernel_width, g->stride, g->padding, g->output_height, g->output_width};
  key.values[0] = 1 + (int)p;
  key.values[1] = (int)products;
  key.values[2] = bias != NULL;
  memcpy(&key.values[3], shape, sizeof shape);
  void *buffers[4] = {(void *)inputs[0], (void *)inputs[1], output, (void *)bias};
  return run_plan(&key, buffers, build_conv_plan, &call);
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

/// What builds a bf16 matrix product's plan.
typedef struct {
  int transpose_a, transpose_b, m, n, k, lda, ldb, ldc, accumulate;
} matmul_call;

/// The plan of a product: a, b (reordered to bfloat16) and c, in that order.
static dnnl_status_t build_matmul_plan(plan *pl, dnnl_engine_t e, const void *context) {
  const matmul_call *call = context;
  int m = call->m, n = call->n, k = call->k;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  dnnl_primitive_desc_t pd = NULL;
  int result = 0;
  dnnl_memory_desc_t a_bf16, b_any, c_md, a_plain, b_plain;
  dnnl_dims_t a_dims = {m, k}, b_dims = {k, n};
  dnnl_memory_desc_init_by_tag(&a_bf16, 2, a_dims, dnnl_bf16, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&b_any, 2, b_dims, dnnl_bf16, dnnl_format_tag_any);
  describe_matrix(&c_md, m, n, call->ldc, 0, dnnl_f32);
  CHECK(dnnl_primitive_attr_create(&attr));
  if (call->accumulate) {
    CHECK(dnnl_post_ops_create(&post_ops));
    CHECK(dnnl_post_ops_append_sum(post_ops, 1.0f));
    CHECK(dnnl_primitive_attr_set_post_ops(attr, post_ops));
  }
  dnnl_matmul_desc_t d;
  CHECK(dnnl_matmul_desc_init(&d, &a_bf16, &b_any, NULL, &c_md));
  CHECK(dnnl_primitive_desc_create(&pd, &d, attr, e, NULL));
  describe_matrix(&a_plain, m, k, call->lda, call->transpose_a, dnnl_f32);
  CHECK(add_slot(pl, e, DNNL_ARG_SRC, &a_plain, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), 1));
  describe_matrix(&b_plain, k, n, call->ldb, call->transpose_b, dnnl_f32);
  CHECK(add_slot(pl, e, DNNL_ARG_WEIGHTS, &b_plain, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), 1));
  // The caller's c as it is: accumulation reads it, the product writes it.
  CHECK(add_slot(pl, e, DNNL_ARG_DST, &c_md, &c_md, 0));
  CHECK(dnnl_primitive_create(&pl->primitive, pd));
done:
  if (pd) dnnl_primitive_desc_destroy(pd);
  if (post_ops) dnnl_post_ops_destroy(post_ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
  return (dnnl_status_t)result;
}

int gtn_dnnl_matmul_bf16(int transpose_a, int transpose_b, int m, int n, int k, const float *a, int lda, const float *b,
                         int ldb, float *c, int ldc, int accumulate) {
  matmul_call call = {transpose_a, transpose_b, m, n, k, lda, ldb, ldc, accumulate != 0};
  plan_key key;
  memset(&key, 0, sizeof key);
  key.values[0] = 16;
  memcpy(&key.values[1], &call, sizeof call);
  void *buffers[3] = {(void *)a, (void *)b, c};
  return run_plan(&key, buffers, build_matmul_plan, &call);
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
