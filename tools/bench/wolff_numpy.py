#!/usr/bin/env python3
"""NumPy reference for the Wolff cluster update of the 2D Ising model (periodic L x L, p_add = 1 - exp(-2K)).

Wolff clusters cannot be vectorised; this is the usual NumPy-array + Python-stack implementation, the baseline a
user would write. Prints one JSON line: {"workload": "wolff", "impl": "numpy", "L", "K", "clusters", "flips",
"seconds", "flipsPerSecond"}. Usage: wolff_numpy.py L K seconds_budget
"""
import json
import sys
import time

import numpy as np


def wolff_cluster(spins, L, p_add, rng):
    i, j = rng.integers(0, L, size=2)
    old = spins[i, j]
    spins[i, j] = -old
    stack = [(i, j)]
    size = 1
    while stack:
        a, b = stack.pop()
        for x, y in (((a + 1) % L, b), ((a - 1) % L, b), (a, (b + 1) % L), (a, (b - 1) % L)):
            if spins[x, y] == old and rng.random() < p_add:
                spins[x, y] = -old
                stack.append((x, y))
                size += 1
    return size


def main():
    L = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    K = float(sys.argv[2]) if len(sys.argv) > 2 else 0.4406868
    budget = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    rng = np.random.default_rng(1)
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), size=(L, L))
    p_add = 1.0 - np.exp(-2.0 * K)
    for _ in range(20):  # warm-up towards typical cluster sizes
        wolff_cluster(spins, L, p_add, rng)
    clusters = flips = 0
    start = time.perf_counter()
    while time.perf_counter() - start < budget:
        flips += wolff_cluster(spins, L, p_add, rng)
        clusters += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"workload": "wolff", "impl": "numpy", "L": L, "K": K, "clusters": clusters, "flips": flips,
                      "seconds": seconds, "flipsPerSecond": flips / seconds}))


if __name__ == "__main__":
    main()
