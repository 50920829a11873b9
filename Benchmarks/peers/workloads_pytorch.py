"""W1, W2 and W4 of ../shared/bench/WORKLOADS.md in PyTorch, the peer figures of Benchmarks/README.md.

One GTN meta-training step exactly as the workload file specifies it: the generator batched over
the curriculum's T x B images (a learned noise tensor z, labels i mod 10), a Kaiming-uniform
learner freshly initialised inside the timed step, T inner steps of SGD with momentum whose
gradients keep their graph (create_graph=True), the meta-loss on the first real Fashion-MNIST
training images, the exact meta-gradient by backpropagation through the unrolled loop, and Adam
on the meta-parameters (generator, z, log learning rate, momentum logit).

    python3 workloads_pytorch.py --workload w2 --threads 2 --reps 5 --warmup 1 [--data DIR] [--bf16]

prints one JSON line: the workload, median, min and max seconds per outer step, peak resident
memory, GFLOP/s (the workload file's FLOP count per step), the torch version and thread count.
--bf16 runs the step under CPU autocast to bfloat16 (a separate figure, labelled as such).
"""

import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F

from workloads import CLASSES, DEFAULT_DATA, SLOPE, WORKLOADS, kaiming_bound, real_batch


def kaiming_uniform(shape, fan_in, generator):
    return (torch.rand(shape, generator=generator) * 2 - 1) * kaiming_bound(fan_in)


def linear(fan_in, fan_out, generator):
    return [kaiming_uniform((fan_out, fan_in), fan_in, generator), torch.zeros(fan_out)]


def conv(cin, cout, generator):
    return [kaiming_uniform((cout, cin, 3, 3), cin * 9, generator), torch.zeros(cout)]


def make_generator(w, seed):
    if "hidden" not in w:
        return linear(w["noise"] + CLASSES, 256, seed) + linear(256, 784, seed)
    return (linear(w["noise"] + CLASSES, w["hidden"], seed) + linear(w["hidden"], w["seed_channels"] * 49, seed)
            + conv(w["seed_channels"], w["mid_channels"], seed) + conv(w["mid_channels"], 1, seed))


def generator_forward(w, p, z, onehot):
    h = F.leaky_relu(F.linear(torch.cat([z, onehot], 1), p[0], p[1]), SLOPE)
    if "hidden" not in w:
        return torch.tanh(F.linear(h, p[2], p[3])).reshape(-1, 1, 28, 28)
    h = F.leaky_relu(F.linear(h, p[2], p[3]), SLOPE).reshape(-1, w["seed_channels"], 7, 7)
    h = F.leaky_relu(F.conv2d(F.interpolate(h, scale_factor=2, mode="nearest"), p[4], p[5], padding=1), SLOPE)
    return torch.tanh(F.conv2d(F.interpolate(h, scale_factor=2, mode="nearest"), p[6], p[7], padding=1))


def make_learner(w, seed):
    if "learner" not in w:
        return linear(784, 128, seed) + linear(128, CLASSES, seed)
    c1, c2, hidden = w["learner"]
    layers = conv(1, c1, seed) + conv(c1, c2, seed)
    if hidden is None:
        return layers + linear(c2 * 49, CLASSES, seed)
    return layers + linear(c2 * 49, hidden, seed) + linear(hidden, CLASSES, seed)


def learner_forward(p, x):
    if len(p) == 4:
        return F.linear(F.leaky_relu(F.linear(x.flatten(1), p[0], p[1]), SLOPE), p[2], p[3])
    h = F.max_pool2d(F.leaky_relu(F.conv2d(x, p[0], p[1], padding=1), SLOPE), 2)
    h = F.max_pool2d(F.leaky_relu(F.conv2d(h, p[2], p[3], padding=1), SLOPE), 2).flatten(1)
    if len(p) == 8:
        h = F.leaky_relu(F.linear(h, p[4], p[5]), SLOPE)
    return F.linear(h, p[-2], p[-1])


def main():
    parser = argparse.ArgumentParser(description="W1, W2 or W4 of WORKLOADS.md in PyTorch")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="w4")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--bf16", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    w = WORKLOADS[args.workload]
    T, B = w["T"], w["B"]

    seed = torch.Generator().manual_seed(1)
    gen = make_generator(w, seed)
    z = torch.randn(T * B, w["noise"], generator=seed)
    log_lr = torch.tensor(math.log(0.02))
    momentum_logit = torch.tensor(math.log(0.9 / 0.1))
    meta = gen + [z, log_lr, momentum_logit]
    for tensor in meta:
        tensor.requires_grad_(True)
    adam = torch.optim.Adam(meta, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    onehot = F.one_hot(torch.arange(T * B) % CLASSES, CLASSES).float()
    labels = torch.arange(T * B) % CLASSES
    real_images, real_labels = (torch.from_numpy(array) for array in real_batch(args.data, w["real"]))

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            images = generator_forward(w, gen, z, onehot)
            p = make_learner(w, seed)
            for tensor in p:
                tensor.requires_grad_(True)
            velocity = [torch.zeros_like(tensor) for tensor in p]
            lr, mu = log_lr.exp(), torch.sigmoid(momentum_logit)
            for t in range(T):
                x, y = images[t * B:(t + 1) * B], labels[t * B:(t + 1) * B]
                loss = F.cross_entropy(learner_forward(p, x).float(), y)
                grads = torch.autograd.grad(loss, p, create_graph=True)
                velocity = [mu * v + g for v, g in zip(velocity, grads)]
                p = [q - lr * v for q, v in zip(p, velocity)]
            meta_loss = F.cross_entropy(learner_forward(p, real_images).float(), real_labels)
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
        "framework": f"pytorch {torch.__version__}", "workload": args.workload, "threads": args.threads,
        "precision": "bf16 autocast" if args.bf16 else "float32",
        "median_s": median, "min_s": min(times), "max_s": max(times),
        "gflops": w["gflop"] / median,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
