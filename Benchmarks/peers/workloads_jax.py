"""W1, W2 and W4 of ../shared/bench/WORKLOADS.md in JAX, the peer figures of Benchmarks/README.md.

The same computation as workloads_pytorch.py, written functionally and compiled with jax.jit as
one function per outer step: the generator over the T x B curriculum, a Kaiming-uniform learner
initialised inside the step (from a key split per step), T inner SGD-with-momentum steps whose
gradients are jax.grad of the inner loss (so the outer jax.value_and_grad differentiates through
them: exact second-order meta-gradients), the meta-loss on the first real Fashion-MNIST training
images, and Adam (β 0.9, 0.999, ε 1e-8, lr 1e-3) on the generator, z, log learning rate and
momentum logit. Compilation happens in the warm-up steps.

    taskset -c 0 python3 workloads_jax.py --workload w1 --reps 20 --warmup 2   # one core
    python3 workloads_jax.py --workload w1 --reps 20 --warmup 2                # every core

XLA's CPU backend sizes its thread pool from the cores the process may use, so the CPU affinity
sets the thread count; the JSON line reports it. Prints the workload, median, min and max seconds
per outer step, peak resident memory and GFLOP/s (the workload file's FLOP count per step).
"""

import argparse
import json
import math
import os
import resource
import statistics
import time

import jax
import jax.numpy as jnp

from workloads import CLASSES, DEFAULT_DATA, SLOPE, WORKLOADS, kaiming_bound, real_batch


def lrelu(x):
    return jnp.where(x > 0, x, SLOPE * x)


def kaiming_uniform(key, shape, fan_in):
    bound = kaiming_bound(fan_in)
    return jax.random.uniform(key, shape, jnp.float32, -bound, bound)


def linear(key, fan_in, fan_out):
    return [kaiming_uniform(key, (fan_in, fan_out), fan_in), jnp.zeros(fan_out, jnp.float32)]


def conv(key, cin, cout):
    return [kaiming_uniform(key, (cout, cin, 3, 3), cin * 9), jnp.zeros(cout, jnp.float32)]


def conv2d(x, w, b):
    y = jax.lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)), dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + b[None, :, None, None]


def up2(x):
    return jnp.repeat(jnp.repeat(x, 2, axis=2), 2, axis=3)


def pool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def make_generator(w, key):
    keys = jax.random.split(key, 4)
    if "hidden" not in w:
        return linear(keys[0], w["noise"] + CLASSES, 256) + linear(keys[1], 256, 784)
    return (linear(keys[0], w["noise"] + CLASSES, w["hidden"]) + linear(keys[1], w["hidden"], w["seed_channels"] * 49)
            + conv(keys[2], w["seed_channels"], w["mid_channels"]) + conv(keys[3], w["mid_channels"], 1))


def generator_forward(w, p, z, onehot):
    h = lrelu(jnp.concatenate([z, onehot], 1) @ p[0] + p[1])
    if "hidden" not in w:
        return jnp.tanh(h @ p[2] + p[3]).reshape(-1, 1, 28, 28)
    h = lrelu(h @ p[2] + p[3]).reshape(-1, w["seed_channels"], 7, 7)
    h = lrelu(conv2d(up2(h), p[4], p[5]))
    return jnp.tanh(conv2d(up2(h), p[6], p[7]))


def make_learner(w, key):
    keys = jax.random.split(key, 4)
    if "learner" not in w:
        return linear(keys[0], 784, 128) + linear(keys[1], 128, CLASSES)
    c1, c2, hidden = w["learner"]
    layers = conv(keys[0], 1, c1) + conv(keys[1], c1, c2)
    if hidden is None:
        return layers + linear(keys[2], c2 * 49, CLASSES)
    return layers + linear(keys[2], c2 * 49, hidden) + linear(keys[3], hidden, CLASSES)


def learner_forward(p, x):
    if len(p) == 4:
        return lrelu(x.reshape(x.shape[0], -1) @ p[0] + p[1]) @ p[2] + p[3]
    h = pool2(lrelu(conv2d(x, p[0], p[1])))
    h = pool2(lrelu(conv2d(h, p[2], p[3]))).reshape(x.shape[0], -1)
    if len(p) == 8:
        h = lrelu(h @ p[4] + p[5])
    return h @ p[-2] + p[-1]


def cross_entropy(logits, labels):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], axis=1))


def main():
    parser = argparse.ArgumentParser(description="W1, W2 or W4 of WORKLOADS.md in JAX")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="w1")
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--data", default=DEFAULT_DATA)
    args = parser.parse_args()
    w = WORKLOADS[args.workload]
    T, B = w["T"], w["B"]

    key = jax.random.PRNGKey(1)
    key, gen_key, z_key = jax.random.split(key, 3)
    meta = {
        "generator": make_generator(w, gen_key),
        "z": jax.random.normal(z_key, (T * B, w["noise"]), jnp.float32),
        "log_lr": jnp.float32(math.log(0.02)),
        "momentum_logit": jnp.float32(math.log(0.9 / 0.1)),
    }
    adam = {"m": jax.tree_util.tree_map(jnp.zeros_like, meta), "v": jax.tree_util.tree_map(jnp.zeros_like, meta),
            "t": jnp.int32(0)}
    onehot = jax.nn.one_hot(jnp.arange(T * B) % CLASSES, CLASSES, dtype=jnp.float32)
    labels = jnp.arange(T * B) % CLASSES
    real_images, real_labels = (jnp.asarray(array) for array in real_batch(args.data, w["real"]))

    def meta_loss(meta, learner_key):
        images = generator_forward(w, meta["generator"], meta["z"], onehot)
        p = make_learner(w, learner_key)
        velocity = [jnp.zeros_like(q) for q in p]
        lr, mu = jnp.exp(meta["log_lr"]), jax.nn.sigmoid(meta["momentum_logit"])
        for t in range(T):
            x, y = images[t * B:(t + 1) * B], labels[t * B:(t + 1) * B]
            grads = jax.grad(lambda q: cross_entropy(learner_forward(q, x), y))(p)
            velocity = [mu * v + g for v, g in zip(velocity, grads)]
            p = [q - lr * v for q, v in zip(p, velocity)]
        return cross_entropy(learner_forward(p, real_images), real_labels)

    @jax.jit
    def step(meta, adam, learner_key):
        loss, grads = jax.value_and_grad(meta_loss)(meta, learner_key)
        t = adam["t"] + 1
        m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, adam["m"], grads)
        v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, adam["v"], grads)
        meta = jax.tree_util.tree_map(
            lambda p, m, v: p - 1e-3 * (m / (1 - 0.9**t)) / (jnp.sqrt(v / (1 - 0.999**t)) + 1e-8), meta, m, v)
        return meta, {"m": m, "v": v, "t": t}, loss

    times = []
    for rep in range(args.warmup + args.reps):
        key, learner_key = jax.random.split(key)
        start = time.perf_counter()
        meta, adam, loss = step(meta, adam, learner_key)
        loss.block_until_ready()
        elapsed = time.perf_counter() - start
        if rep >= args.warmup:
            times.append(elapsed)
    median = statistics.median(times)
    print(json.dumps({
        "framework": f"jax {jax.__version__}", "workload": args.workload, "threads": len(os.sched_getaffinity(0)),
        "precision": "float32", "median_s": median, "min_s": min(times), "max_s": max(times),
        "gflops": w["gflop"] / median, "meta_loss": float(loss),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
