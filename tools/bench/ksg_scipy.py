#!/usr/bin/env python3
"""KSG mutual information (algorithm 1, k = 4, max-norm) with SciPy's cKDTree, as NPEET and most Python
implementations compute it: joint kNN by tree.query, marginal counts by query_ball_point(return_length=True)
with radius ε − 1e-15 (strict inequality). Written for the Entroscope benchmark (tools/bench/run.js).
Usage: ksg_scipy.py N DX DY REPS  → one JSON line per repetition {"ms": ..., "value": ...}
"""
import json
import sys
import time

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma


def ksg(x, y, k=4):
    n = len(x)
    joint = np.hstack([x, y])
    tree = cKDTree(joint)
    eps = tree.query(joint, k + 1, p=np.inf)[0][:, k]
    nx = cKDTree(x).query_ball_point(x, eps - 1e-15, p=np.inf, return_length=True) - 1
    ny = cKDTree(y).query_ball_point(y, eps - 1e-15, p=np.inf, return_length=True) - 1
    return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))


def main():
    n, dx, dy, reps = (int(a) for a in sys.argv[1:5])
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, dx))
    y = 0.5 * x[:, :dy] if dy <= dx else None
    y = 0.5 * x[:, :dy] + np.sqrt(0.75) * rng.standard_normal((n, dy))
    for _ in range(reps):
        t = time.perf_counter()
        v = ksg(x, y)
        print(json.dumps({"ms": (time.perf_counter() - t) * 1e3, "value": float(v)}), flush=True)


if __name__ == "__main__":
    main()
