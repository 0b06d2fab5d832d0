#!/usr/bin/env python3
"""NumPy references of the Entroscope benchmark workloads, written by the project (tools/bench/run.js).

Runs as a server driven by run.js so that TypeScript and NumPy repetitions alternate in one sitting:
each stdin line is a JSON request, each stdout line a JSON reply.
  {"cmd": "setup", "workload": id}     -> {"ok": true, "check": number}   (allocate inputs, warm up)
  {"cmd": "run", "workload": id}       -> {"ms": number, "check": number} (one timed repetition)
  {"cmd": "info"}                      -> versions and BLAS configuration
Inputs are drawn from NumPy's PCG64 with fixed seeds (not bit-identical to the TypeScript inputs; every
workload is well-conditioned, so timings do not depend on the particular numbers). BLAS threads are pinned
to 1 by run.js (OPENBLAS_NUM_THREADS=1): ratios are against single-thread NumPy/OpenBLAS.
"""
import json
import os
import sys
import time

import numpy as np

K_C = 0.5 * np.log(1 + np.sqrt(2))


class Matmul:
    def __init__(self, n):
        rng = np.random.default_rng(n)
        self.a = rng.standard_normal((n, n), dtype=np.float32)
        self.b = rng.standard_normal((n, n), dtype=np.float32)

    def run(self):
        c = self.a @ self.b
        return float(c[0, 0])


class TrainStep:
    """784-512-784 autoencoder-shaped MLP, tanh hidden layer, linear output, MSE loss, one SGD step (batch 128).

    Hand-written forward and backward passes, float32 throughout (the same algebra as the TypeScript version).
    """

    def __init__(self):
        rng = np.random.default_rng(7)
        self.x = rng.random((128, 784), dtype=np.float32)
        self.w1 = (rng.standard_normal((784, 512), dtype=np.float32) / np.sqrt(784)).astype(np.float32)
        self.b1 = np.zeros(512, np.float32)
        self.w2 = (rng.standard_normal((512, 784), dtype=np.float32) / np.sqrt(512)).astype(np.float32)
        self.b2 = np.zeros(784, np.float32)
        self.lr = np.float32(0.01)

    def run(self):
        x = self.x
        h = np.tanh(x @ self.w1 + self.b1)
        y = h @ self.w2 + self.b2
        dy = (y - x) * np.float32(2.0 / y.size)
        loss = float(np.mean((y - x) ** 2))
        dw2 = h.T @ dy
        db2 = dy.sum(axis=0)
        dh = (dy @ self.w2.T) * (1 - h * h)
        dw1 = x.T @ dh
        db1 = dh.sum(axis=0)
        self.w1 -= self.lr * dw1
        self.b1 -= self.lr * db1
        self.w2 -= self.lr * dw2
        self.b2 -= self.lr * db2
        return loss


class RandomMlpForward:
    """Random tanh network, width 1000, depth 50, batch 1000: h <- tanh(h W_l + b_l), W ~ N(0, 1.5^2/width), b ~ N(0, 0.05^2)."""

    def __init__(self):
        rng = np.random.default_rng(50)
        width = 1000
        self.x = rng.standard_normal((1000, width), dtype=np.float32)
        self.w = [(rng.standard_normal((width, width), dtype=np.float32) * np.float32(1.5 / np.sqrt(width))) for _ in range(50)]
        self.b = [rng.standard_normal(width, dtype=np.float32) * np.float32(0.05) for _ in range(50)]

    def run(self):
        h = self.x
        for w, b in zip(self.w, self.b):
            h = np.tanh(h @ w + b)
        return float(np.mean(h * h))


class IsingCheckerboard:
    """Vectorised checkerboard Metropolis sweep at K_c: the four sublattices as strided views, neighbour sums by
    np.roll, acceptance by table lookup, uniforms only for the updated sublattice (an efficient NumPy version,
    not a strawman: about 2x faster than the common full-lattice boolean-mask version)."""

    def __init__(self, L):
        self.rng = np.random.default_rng(L)
        self.s = self.rng.choice(np.array([-1, 1], dtype=np.int8), size=(L, L))
        self.table = np.minimum(1.0, np.exp(-2 * K_C * np.arange(-4, 5, 2)))
        s = self.s
        self.a, self.b, self.c, self.d = s[0::2, 0::2], s[0::2, 1::2], s[1::2, 0::2], s[1::2, 1::2]

    def update(self, x, nn):
        p = self.table[(x * nn + 4) >> 1]
        u = self.rng.random(x.shape)
        x[u < p] *= -1

    def run(self):
        a, b, c, d = self.a, self.b, self.c, self.d
        self.update(a, np.roll(c, 1, 0) + c + np.roll(b, 1, 1) + b)
        self.update(d, b + np.roll(b, -1, 0) + c + np.roll(c, -1, 1))
        self.update(b, np.roll(d, 1, 0) + d + a + np.roll(a, -1, 1))
        self.update(c, a + np.roll(a, -1, 0) + np.roll(d, 1, 1) + d)
        return float(self.s.mean())


class Histogram:
    def __init__(self):
        rng = np.random.default_rng(100)
        self.x = rng.standard_normal(1_000_000).astype(np.float32)

    def run(self):
        counts, _ = np.histogram(self.x, bins=100, range=(-5, 5))
        return float(counts[50])


class HistogramKl:
    """KL(p||q) in nats between the 100-bin histograms of two 1e6-sample sets (N(0,1) and N(0.5,1) on [-5, 5]),
    Krichevsky-Trofimov pseudo-count 1/2 per bin so that empty bins stay finite: both histograms and the KL."""

    def __init__(self):
        rng = np.random.default_rng(101)
        self.x = rng.standard_normal(1_000_000).astype(np.float32)
        self.y = (rng.standard_normal(1_000_000) + 0.5).astype(np.float32)

    def run(self):
        p, _ = np.histogram(self.x, bins=100, range=(-5, 5))
        q, _ = np.histogram(self.y, bins=100, range=(-5, 5))
        p = (p + 0.5) / (p.sum() + 50)
        q = (q + 0.5) / (q.sum() + 50)
        return float(np.sum(p * np.log(p / q)))


FACTORIES = {
    "matmul-512": lambda: Matmul(512),
    "matmul-1024": lambda: Matmul(1024),
    "mlp-train-step": TrainStep,
    "random-mlp-forward": RandomMlpForward,
    "ising-checkerboard-256": lambda: IsingCheckerboard(256),
    "ising-checkerboard-1024": lambda: IsingCheckerboard(1024),
    "histogram-1e6": Histogram,
    "histogram-kl-1e6": HistogramKl,
}


def openblas_kernel():
    """The OpenBLAS core type in use (threadpoolctl when installed, else OpenBLAS's own get_corename via ctypes)."""
    try:
        import threadpoolctl  # noqa: PLC0415

        for entry in threadpoolctl.threadpool_info():
            if entry.get("internal_api") == "openblas":
                return {"kernel": entry.get("architecture"), "version": entry.get("version"), "via": "threadpoolctl"}
    except ImportError:
        pass
    import ctypes  # noqa: PLC0415

    np.ones((2, 2)) @ np.ones((2, 2))  # make sure BLAS is loaded
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    for path in libs:
        lib = ctypes.CDLL(path)
        for name, config in (("scipy_openblas_get_corename64_", "scipy_openblas_get_config64_"), ("openblas_get_corename", "openblas_get_config"), ("scipy_openblas_get_corename", "scipy_openblas_get_config")):
            if hasattr(lib, name):
                getattr(lib, name).restype = ctypes.c_char_p
                getattr(lib, config).restype = ctypes.c_char_p
                return {"kernel": getattr(lib, name)().decode(), "version": getattr(lib, config)().decode(), "via": "ctypes"}
    return {"kernel": "unknown", "version": "", "via": "none"}


def main():
    workloads = {}
    for line in sys.stdin:
        request = json.loads(line)
        cmd = request["cmd"]
        if cmd == "info":
            reply = {"python": sys.version.split()[0], "numpy": np.__version__}
            try:
                cfg = np.show_config(mode="dicts")
                blas = cfg.get("Build Dependencies", {}).get("blas", {})
                reply["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
            except Exception:  # noqa: BLE001
                reply["blas"] = "unknown"
            reply["openblas"] = openblas_kernel()
            reply["env"] = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}
        elif cmd == "setup":
            w = FACTORIES[request["workload"]]()
            workloads[request["workload"]] = w
            check = w.run()
            w.run()
            reply = {"ok": True, "check": check}
        elif cmd == "run":
            w = workloads[request["workload"]]
            t = time.perf_counter()
            check = w.run()
            reply = {"ms": (time.perf_counter() - t) * 1e3, "check": check}
        elif cmd == "drop":
            workloads.pop(request["workload"], None)
            reply = {"ok": True}
        else:
            reply = {"error": f"unknown command {cmd}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
