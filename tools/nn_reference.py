#!/usr/bin/env python3
"""Second implementation of @entroscope/nn training, in NumPy (float32), for the agreement test and the bench.

Usage: nn_reference.py <run-directory>
The directory holds `run.json`:
  {"mnist": <dir with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]>, "count": n,
   "widths": [784, ..., 10], "hidden": "tanh", "output": "tanh" | "none",
   "loss": "cross-entropy" | "cross-entropy-on-softmax", "batches": "<file of int32 example indices>",
   "batchSizes": [..], "optimiser": {"kind": "sgd", "lr", "momentum", "dampening", "weightDecay", "nesterov"}
                                   | {"kind": "adam", "lr", "betas", "eps", "weightDecay"},
   "parameters": [{"name": "0.weight", "shape": [out, in], "file": "<float32 little-endian>"}, ...]}
and it prints one JSON line {"losses": [...], "ms": ...} (the loss of every minibatch before its update, float64,
and the milliseconds of the training loop, data loading excluded).

Written from the definitions (PyTorch's nn.Linear, Tanh, cross_entropy, torch.optim.SGD / Adam update rules),
not from the TypeScript code: z = h W^T + b; cross-entropy = mean(logsumexp(z) - z_y); backward by hand.
Pixels are read from the IDX files here (own reader) as byte / 255 in float32.
"""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np

F32 = np.float32


def read_idx(path, count):
    """The first `count` items of an unsigned-byte IDX file (plain or gzip)."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        zero, dtype, ndim = struct.unpack('>HBB', f.read(4))
        if zero != 0 or dtype != 0x08:
            raise ValueError(f'{path}: not an unsigned-byte IDX file')
        dims = list(struct.unpack('>' + 'I' * ndim, f.read(4 * ndim)))
        if count > dims[0]:
            raise ValueError(f'{path}: {dims[0]} items, {count} asked for')
        dims[0] = count
        data = f.read(int(np.prod(dims)))
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def find(directory, name):
    plain = os.path.join(directory, name)
    return plain if os.path.exists(plain) else plain + '.gz'


def load_mnist(directory, count):
    images = read_idx(find(directory, 'train-images-idx3-ubyte'), count)
    labels = read_idx(find(directory, 'train-labels-idx1-ubyte'), count)
    x = images.reshape(len(images), -1).astype(F32) / F32(255)
    return x, labels.astype(np.int64)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(z, y):
    """Mean cross-entropy of logits z (float64 value) and its float32 gradient."""
    z64 = z.astype(np.float64)
    m = z64.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z64 - m).sum(axis=1)) + m[:, 0]
    loss = float(np.mean(lse - z64[np.arange(len(y)), y]))
    g = softmax(z64)
    g[np.arange(len(y)), y] -= 1
    return loss, (g / len(y)).astype(F32)


class Sgd:
    def __init__(self, lr, momentum=0.0, dampening=0.0, weightDecay=0.0, nesterov=False, **_):
        self.lr, self.mu, self.tau, self.wd, self.nesterov = F32(lr), F32(momentum), F32(dampening), F32(weightDecay), nesterov
        self.buf = {}

    def step(self, params, grads):
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.wd != 0:
                g = g + self.wd * p
            if self.mu != 0:
                if i not in self.buf:
                    self.buf[i] = g.copy()
                else:
                    self.buf[i] = self.mu * self.buf[i] + (F32(1) - self.tau) * g
                g = g + self.mu * self.buf[i] if self.nesterov else self.buf[i]
            p -= self.lr * g


class Adam:
    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weightDecay=0.0, **_):
        self.lr, self.b1, self.b2, self.eps, self.wd = lr, betas[0], betas[1], eps, F32(weightDecay)
        self.t, self.m, self.v = 0, {}, {}

    def step(self, params, grads):
        self.t += 1
        step_size = F32(self.lr / (1 - self.b1 ** self.t))
        c2 = F32(np.sqrt(1 - self.b2 ** self.t))
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.wd != 0:
                g = g + self.wd * p
            m = self.m.setdefault(i, np.zeros_like(p))
            v = self.v.setdefault(i, np.zeros_like(p))
            m *= F32(self.b1)
            m += F32(1 - self.b1) * g
            v *= F32(self.b2)
            v += F32(1 - self.b2) * g * g
            p -= step_size * m / (np.sqrt(v) / c2 + F32(self.eps))


def train(weights, biases, x, y, batches, hidden='tanh', output='tanh', loss='cross-entropy', optimiser=None):
    """One pass over `batches` (arrays of example indices). Updates weights/biases in place; returns the losses."""
    opt = optimiser
    n_layers = len(weights)
    losses = []
    for idx in batches:
        h = [x[idx]]
        for l, (w, b) in enumerate(zip(weights, biases)):
            z = h[-1] @ w.T + b
            act = output if l == n_layers - 1 else hidden
            h.append(np.tanh(z) if act == 'tanh' else z)
        out = h[-1]
        if loss == 'cross-entropy-on-softmax':
            p = softmax(out)
            value, gp = cross_entropy(p, y[idx])
            g = p * (gp - (gp * p).sum(axis=1, keepdims=True))
        else:
            value, g = cross_entropy(out, y[idx])
        losses.append(value)
        gw, gb = [None] * n_layers, [None] * n_layers
        for l in range(n_layers - 1, -1, -1):
            act = output if l == n_layers - 1 else hidden
            if act == 'tanh':
                g = g * (F32(1) - h[l + 1] * h[l + 1])
            gw[l] = g.T @ h[l]
            gb[l] = g.sum(axis=0, dtype=np.float64).astype(F32)
            if l > 0:
                g = g @ weights[l]
        opt.step(weights + biases, gw + gb)
    return losses


def make_optimiser(spec):
    spec = dict(spec)
    kind = spec.pop('kind')
    if kind == 'sgd':
        return Sgd(**spec)
    if kind == 'adam':
        if 'betas' in spec:
            spec['betas'] = tuple(spec['betas'])
        return Adam(**spec)
    raise ValueError(f'unknown optimiser {kind}')


def main(directory):
    with open(os.path.join(directory, 'run.json')) as f:
        run = json.load(f)
    x, y = load_mnist(run['mnist'], run['count'])
    tensors = {}
    for p in run['parameters']:
        tensors[p['name']] = np.fromfile(os.path.join(directory, p['file']), dtype='<f4').reshape(p['shape']).astype(F32)
    layers = sorted({int(name.split('.')[0]) for name in tensors})
    weights = [tensors[f'{l}.weight'] for l in layers]
    biases = [tensors[f'{l}.bias'] for l in layers]
    flat = np.fromfile(os.path.join(directory, run['batches']), dtype='<i4')
    batches, start = [], 0
    for size in run['batchSizes']:
        batches.append(flat[start:start + size])
        start += size
    start = time.perf_counter()
    losses = train(weights, biases, x, y, batches, run.get('hidden', 'tanh'), run.get('output', 'tanh'), run.get('loss', 'cross-entropy'), make_optimiser(run['optimiser']))
    ms = (time.perf_counter() - start) * 1e3
    print(json.dumps({'losses': losses, 'ms': ms}))


if __name__ == '__main__':
    main(sys.argv[1])
