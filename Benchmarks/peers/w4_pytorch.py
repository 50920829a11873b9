"""W4 `meta-conv-wide` in PyTorch, the peer figure of Benchmarks/README.md.

One GTN meta-training step at the paper's MNIST widths, exactly as the workload file specifies:
the generator batched over the curriculum's T x B images, a Kaiming-uniform learner freshly
initialised inside the timed step, T inner steps of SGD with momentum whose gradients keep their
graph (create_graph=True), the meta-loss on 128 real Fashion-MNIST images, the exact meta-gradient
by backpropagation through the unrolled loop, and Adam on the meta-parameters.

    python3 w4_pytorch.py --threads 2 --reps 3 --warmup 1 [--data DIR] [--bf16]

prints one JSON line: median, min and max seconds per outer step, peak resident memory,
GFLOP/s (1,746 GFLOP per step), the torch version and thread count. --bf16 runs the step under
CPU autocast to bfloat16 (a separate figure, labelled as such).
"""

import argparse
import gzip
import json
import math
import os
import resource
import statistics
import time

import torch
import torch.nn.functional as F

T, B, NOISE, CLASSES, REAL = 32, 128, 128, 10, 128
GFLOP_PER_STEP = 1746.0
SLOPE = 0.1


def kaiming_uniform(shape, fan_in, generator):
    bound = math.sqrt(6.0 / ((1.0 + SLOPE**2) * fan_in))
    return (torch.rand(shape, generator=generator) * 2 - 1) * bound


def linear(fan_in, fan_out, generator):
    return [kaiming_uniform((fan_out, fan_in), fan_in, generator), torch.zeros(fan_out)]


def conv(cin, cout, generator):
    return [kaiming_uniform((cout, cin, 3, 3), cin * 9, generator), torch.zeros(cout)]


def generator_forward(p, z, onehot):
    h = F.leaky_relu(F.linear(torch.cat([z, onehot], 1), p[0], p[1]), SLOPE)
    h = F.leaky_relu(F.linear(h, p[2], p[3]), SLOPE).reshape(-1, 128, 7, 7)
    h = F.leaky_relu(F.conv2d(F.interpolate(h, scale_factor=2, mode="nearest"), p[4], p[5], padding=1), SLOPE)
    return torch.tanh(F.conv2d(F.interpolate(h, scale_factor=2, mode="nearest"), p[6], p[7], padding=1))


def learner_forward(w, x):
    h = F.max_pool2d(F.leaky_relu(F.conv2d(x, w[0], w[1], padding=1), SLOPE), 2)
    h = F.max_pool2d(F.leaky_relu(F.conv2d(h, w[2], w[3], padding=1), SLOPE), 2)
    h = F.leaky_relu(F.linear(h.flatten(1), w[4], w[5]), SLOPE)
    return F.linear(h, w[6], w[7])


def real_batch(directory):
    def read(name, offset, count, size):
        with gzip.open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        return torch.frombuffer(bytearray(data[offset:offset + count * size]), dtype=torch.uint8)

    images = read("train-images-idx3-ubyte.gz", 16, REAL, 784).float().reshape(REAL, 1, 28, 28) / 127.5 - 1
    labels = read("train-labels-idx1-ubyte.gz", 8, REAL, 1).long()
    return images, labels


def main():
    parser = argparse.ArgumentParser(description="W4 meta-conv-wide in PyTorch")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--data", default=os.environ.get("GTN_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--bf16", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    seed = torch.Generator().manual_seed(1)
    gen = linear(NOISE + CLASSES, 1024, seed) + linear(1024, 128 * 49, seed) + conv(128, 64, seed) + conv(64, 1, seed)
    z = torch.randn(T * B, NOISE, generator=seed)
    log_lr = torch.tensor(math.log(0.02))
    momentum_logit = torch.tensor(math.log(0.9 / 0.1))
    meta = gen + [z, log_lr, momentum_logit]
    for tensor in meta:
        tensor.requires_grad_(True)
    adam = torch.optim.Adam(meta, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    onehot = F.one_hot(torch.arange(T * B) % CLASSES, CLASSES).float()
    labels = torch.arange(T * B) % CLASSES
    real_images, real_labels = real_batch(args.data)

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            images = generator_forward(gen, z, onehot)
            w = (conv(1, 64, seed) + conv(64, 128, seed) + linear(128 * 49, 256, seed) + linear(256, CLASSES, seed))
            for tensor in w:
                tensor.requires_grad_(True)
            velocity = [torch.zeros_like(tensor) for tensor in w]
            lr, mu = log_lr.exp(), torch.sigmoid(momentum_logit)
            for t in range(T):
                x, y = images[t * B:(t + 1) * B], labels[t * B:(t + 1) * B]
                loss = F.cross_entropy(learner_forward(w, x).float(), y)
                grads = torch.autograd.grad(loss, w, create_graph=True)
                velocity = [mu * v + g for v, g in zip(velocity, grads)]
                w = [p - lr * v for p, v in zip(w, velocity)]
            meta_loss = F.cross_entropy(learner_forward(w, real_images).float(), real_labels)
        adam.zero_grad()
        meta_loss.backward()
        adam.step()
        return meta_loss.item()

    times = []
    for rep in range(args.warmup + args.reps):
        start = time.perf_counter()
        step()
        elapsed = time.perf_counter() - start
        if rep >= args.warmup:
            times.append(elapsed)
    median = statistics.median(times)
    print(json.dumps({
        "framework": f"pytorch {torch.__version__}", "workload": "w4", "threads": args.threads,
        "precision": "bf16 autocast" if args.bf16 else "float32",
        "median_s": median, "min_s": min(times), "max_s": max(times),
        "gflops": GFLOP_PER_STEP / median,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
