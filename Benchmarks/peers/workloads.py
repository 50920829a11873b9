"""The workloads of ../shared/bench/WORKLOADS.md that the peer scripts run, and their real batch.

Shared by workloads_pytorch.py and workloads_jax.py so that both run the same shapes.
"""

import gzip
import os

import numpy as np

CLASSES = 10
SLOPE = 0.1

# T, B, noise length, real images, generator and learner widths, GFLOP per outer step
# (multiply-adds x 2 of matrix products and convolutions, as the workload file counts them).
WORKLOADS = {
    "w1": dict(T=16, B=64, noise=64, real=256, gflop=2.71),
    "w2": dict(T=32, B=128, noise=64, real=128, hidden=1024, seed_channels=32, mid_channels=16,
               learner=(16, 32, None), gflop=140.4),
    "w4": dict(T=32, B=128, noise=128, real=128, hidden=1024, seed_channels=128, mid_channels=64,
               learner=(64, 128, 256), gflop=1746.0),
}

DEFAULT_DATA = os.environ.get("GTN_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def kaiming_bound(fan_in):
    """The Kaiming-uniform bound for LeakyReLU(0.1): sqrt(6 / ((1 + 0.1^2) fan_in))."""
    return (6.0 / ((1.0 + SLOPE**2) * fan_in)) ** 0.5


def real_batch(directory, count):
    """The first `count` training images (N x 1 x 28 x 28 in [-1, 1], float32) and labels (int64)."""
    def read(name, offset, size):
        with gzip.open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        return np.frombuffer(data[offset:offset + count * size], dtype=np.uint8)

    images = read("train-images-idx3-ubyte.gz", 16, 784).astype(np.float32).reshape(count, 1, 28, 28) / 127.5 - 1
    labels = read("train-labels-idx1-ubyte.gz", 8, 1).astype(np.int64)
    return images, labels
