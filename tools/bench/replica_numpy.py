#!/usr/bin/env python3
"""NumPy/SciPy side of the replica bench row: the network of replica-bench.js (3 layers of width N, ReLU, ReLU,
linear, noise 0.01, deterministic spectra (0.5 + i/N)^2) through tools/replica_reference.py, the second
implementation. One timed evaluation of H(h_3) and I(x; h_3) (no warm-up needed). Prints {"ms": ..., "value": ...}."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import replica_reference as ref  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
spectrum = [(0.5 + i / n) ** 2 for i in range(n)]
layer = lambda ch: {"inputs": n, "outputs": n, "ensemble": {"kind": "orthogonally-invariant", "spectrum": spectrum}, "channel": ch, "noiseVariance": 0.01}
net = {"type": "stochastic-network", "prior": {"kind": "normal", "mean": 0, "variance": 1}, "inputDimension": n, "layers": [layer("relu"), layer("relu"), layer("linear")]}
t = time.perf_counter()
r = ref.layer_values(net, 3)
ms = (time.perf_counter() - t) * 1000
print(json.dumps({"ms": ms, "value": r["mutualInformation"], "entropy": r["entropy"]}))
