// What channels-last activations would save the conv-bn learner's oneDNN layer.
//
// Times the three passes of one 3x3 convolution (N = 128, 16 -> 32 channels, 14 x 14, padding 1;
// backward-weights in 8 shares of 16 images, as GTNAutodiff splits it) on one thread, with the
// caller's buffers either plain NCHW float32 (reordered to and from what oneDNN chooses, as the
// package does) or NHWC float32 (passed as they are; with bf16, only converted to bfloat16 in the
// same layout). Prints the implementation of each pass and the best of 7 x 10 repetitions.
//
//   g++ -O2 -std=c++17 onednn_layouts.cpp -o onednn_layouts -ldnnl
//   OMP_NUM_THREADS=1 ./onednn_layouts f32|bf16 nchw|nhwc
#include <dnnl.hpp>
#include <chrono>
#include <cstdio>
#include <vector>
#include <cstring>
#include <unordered_map>
using namespace dnnl;
using tag = memory::format_tag; using dt = memory::data_type;
static engine eng(engine::kind::cpu, 0);
static stream s(eng);
struct Pass { primitive p; std::unordered_map<int, memory> args; std::vector<std::pair<reorder, std::pair<memory,memory>>> pre, post; };
static void run(Pass &x) {
  for (auto &r : x.pre) r.first.execute(s, r.second.first, r.second.second);
  x.p.execute(s, x.args);
  for (auto &r : x.post) r.first.execute(s, r.second.first, r.second.second);
  s.wait();
}
// operand: user memory (f32, user tag) -> wanted desc; returns memory to pass to primitive
static memory operand(Pass &x, const memory::desc &wanted, memory user, bool input) {
  if (wanted == user.get_desc()) return user;
  memory internal(wanted, eng);
  if (input) x.pre.push_back({reorder(user, internal), {user, internal}});
  else x.post.push_back({reorder(internal, user), {internal, user}});
  return internal;
}
int main(int argc, char **argv) {
  bool bf16 = argc > 1 && !strcmp(argv[1], "bf16");
  bool nhwc = argc > 2 && !strcmp(argv[2], "nhwc");
  int N = 128, C = 16, O = 32, H = 14, W = 14, shares = 8;
  tag act = nhwc ? tag::nhwc : tag::nchw;
  dt in = bf16 ? dt::bf16 : dt::f32;
  auto want_act = nhwc ? tag::nhwc : tag::any;
  std::vector<Pass> passes;
  memory::dims st = {1, 1}, pad = {1, 1};
  auto make = [&](int n, int which) {
    memory::desc xu({n, C, H, W}, dt::f32, act), yu({n, O, H, W}, dt::f32, act), wu({O, C, 3, 3}, dt::f32, tag::oihw);
    memory xm(xu, eng), ym(yu, eng), wm(wu, eng);
    memory::desc xf({n, C, H, W}, in, want_act), yf({n, O, H, W}, dt::f32, want_act), wf({O, C, 3, 3}, in, tag::any);
    auto fd = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, xf, wf, yf, st, pad, pad);
    auto fpd = convolution_forward::primitive_desc(fd, eng);
    Pass x;
    if (which == 0) {
      x.p = convolution_forward(fpd);
      x.args = {{DNNL_ARG_SRC, operand(x, fpd.src_desc(), xm, true)}, {DNNL_ARG_WEIGHTS, operand(x, fpd.weights_desc(), wm, true)},
                {DNNL_ARG_DST, operand(x, fpd.dst_desc(), ym, false)}};
      printf("fwd %s\n", fpd.impl_info_str());
    } else if (which == 1) {
      memory::desc dx({n, C, H, W}, dt::f32, want_act), dy({n, O, H, W}, in, want_act);
      auto bd = convolution_backward_data::desc(algorithm::convolution_direct, dx, wf, dy, st, pad, pad);
      auto bpd = convolution_backward_data::primitive_desc(bd, eng, fpd);
      x.p = convolution_backward_data(bpd);
      x.args = {{DNNL_ARG_DIFF_DST, operand(x, bpd.diff_dst_desc(), ym, true)}, {DNNL_ARG_WEIGHTS, operand(x, bpd.weights_desc(), wm, true)},
                {DNNL_ARG_DIFF_SRC, operand(x, bpd.diff_src_desc(), xm, false)}};
      printf("bwd_d %s\n", bpd.impl_info_str());
    } else {
      memory::desc dy({n, O, H, W}, in, want_act), dw({O, C, 3, 3}, dt::f32, tag::any);
      auto wd = convolution_backward_weights::desc(algorithm::convolution_direct, xf, dw, dy, st, pad, pad);
      auto wpd = convolution_backward_weights::primitive_desc(wd, eng, fpd);
      x.p = convolution_backward_weights(wpd);
      x.args = {{DNNL_ARG_SRC, operand(x, wpd.src_desc(), xm, true)}, {DNNL_ARG_DIFF_DST, operand(x, wpd.diff_dst_desc(), ym, true)},
                {DNNL_ARG_DIFF_WEIGHTS, operand(x, wpd.diff_weights_desc(), wm, false)}};
      printf("bwd_w %s\n", wpd.impl_info_str());
    }
    passes.push_back(x);
  };
  make(N, 0); make(N, 1);
  for (int i = 0; i < shares; i++) make(N / shares, 2);
  for (auto &x : passes) run(x);
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < 10; k++) for (auto &x : passes) run(x);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 10;
    if (ms < best) best = ms;
  }
  printf("%s %s: %.2f ms per layer (fwd + bwd data + bwd weights in %d shares)\n", bf16 ? "bf16" : "f32", nhwc ? "nhwc" : "nchw+reorders", best, shares);
}
