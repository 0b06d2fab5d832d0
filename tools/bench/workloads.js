// TypeScript side of the benchmark workloads (built @entroscope/kernels). Dense products use the cpu backend's
// product (matmulCpuBackend: ONNX Runtime's GEMM when it loads, else the WebAssembly engine). Each workload has `setup()` (inputs,
// warm-up; not timed) and `run()` (one timed repetition, returns a check value). Ids match reference.py.
const kernels = require('@entroscope/kernels');
const { RandomStream } = require('@entroscope/core');

const K_C = 0.5 * Math.log(1 + Math.SQRT2);

function matmul(n) {
  let a, b;
  return {
    setup() {
      const random = RandomStream.fromSeed(n);
      a = random.fillNormal(new Float32Array(n * n));
      b = random.fillNormal(new Float32Array(n * n));
    },
    run: () => kernels.matmulCpuBackend(a, b, n, n, n)[0],
  };
}

/**
 * 784-512-784, tanh hidden, linear output, MSE, one SGD step on a batch of 128 (same algebra as reference.py).
 * Buffers are allocated once (outputs written with `out`), as a training loop would.
 */
function trainStep() {
  const B = 128,
    D = 784,
    H = 512,
    lr = 0.01;
  let x, w1, b1, w2, b2, h, y, dy, dh, dw1, dw2, db1, db2;
  return {
    setup() {
      const random = RandomStream.fromSeed(7);
      x = random.fillUniform(new Float32Array(B * D));
      w1 = random.fillNormal(new Float32Array(D * H), 0, 1 / Math.sqrt(D));
      b1 = new Float32Array(H);
      w2 = random.fillNormal(new Float32Array(H * D), 0, 1 / Math.sqrt(H));
      b2 = new Float32Array(D);
      [h, y, dy, dh, dw1, dw2, db1, db2] = [B * H, B * D, B * D, B * H, D * H, H * D, H, D].map(
        (n) => new Float32Array(n),
      );
    },
    run() {
      kernels.matmulCpuBackend(x, w1, B, D, H, { bias: b1, activation: 'tanh', out: h });
      kernels.matmulCpuBackend(h, w2, B, H, D, { bias: b2, out: y });
      const scale = 2 / (B * D);
      let loss = 0;
      db2.fill(0);
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < D; j++) {
          const r = y[i * D + j] - x[i * D + j];
          loss += r * r;
          const g = r * scale;
          dy[i * D + j] = g;
          db2[j] += g;
        }
      }
      kernels.matmulCpuBackend(h, dy, H, B, D, { transposeA: true, out: dw2 });
      kernels.matmulCpuBackend(dy, w2, B, D, H, { transposeB: true, out: dh });
      db1.fill(0);
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < H; j++) {
          const hv = h[i * H + j];
          const g = dh[i * H + j] * (1 - hv * hv);
          dh[i * H + j] = g;
          db1[j] += g;
        }
      }
      kernels.matmulCpuBackend(x, dh, D, B, H, { transposeA: true, out: dw1 });
      for (let i = 0; i < w1.length; i++) w1[i] -= lr * dw1[i];
      for (let i = 0; i < b1.length; i++) b1[i] -= lr * db1[i];
      for (let i = 0; i < w2.length; i++) w2[i] -= lr * dw2[i];
      for (let i = 0; i < b2.length; i++) b2[i] -= lr * db2[i];
      return loss / (B * D);
    },
  };
}

/** Random tanh network: width 1000, depth 50, batch 1000, W ~ N(0, 1.5²/width), b ~ N(0, 0.05²). */
function randomMlpForward() {
  const width = 1000,
    depth = 50,
    batch = 1000;
  let x, ws, bs;
  return {
    setup() {
      const random = RandomStream.fromSeed(50);
      x = random.fillNormal(new Float32Array(batch * width));
      ws = Array.from({ length: depth }, () =>
        random.fillNormal(new Float32Array(width * width), 0, 1.5 / Math.sqrt(width)),
      );
      bs = Array.from({ length: depth }, () => random.fillNormal(new Float32Array(width), 0, 0.05));
    },
    run() {
      let h = x;
      for (let l = 0; l < depth; l++)
        h = kernels.matmulCpuBackend(h, ws[l], batch, width, width, { bias: bs[l], activation: 'tanh' });
      let s = 0;
      for (let i = 0; i < h.length; i++) s += h[i] * h[i];
      return s / h.length;
    },
  };
}

/** Tuned scalar checkerboard sweep at K_c on one thread (both parities, random words generated inline). */
function isingCheckerboard(L) {
  let spins, rng;
  return {
    setup() {
      const random = RandomStream.fromSeed(L);
      spins = new Int8Array(L * L).map(() => (random.nextUint32() & 1 ? 1 : -1));
      rng = kernels.Xoshiro128.from(random.split('sweeps'));
    },
    run() {
      kernels.isingCheckerboardSweepFast(spins, L, K_C, rng);
      return spins[0];
    },
  };
}

/** The same sweep on all cores: IsingCheckerboardEngine with 2 bands (results independent of the thread count). */
function isingCheckerboardThreaded(L) {
  let engine;
  return {
    setup() {
      const random = RandomStream.fromSeed(L);
      engine = new kernels.IsingCheckerboardEngine(L, random.split('engine'), 2);
      engine.spins.set(new Int8Array(L * L).map(() => (random.nextUint32() & 1 ? 1 : -1)));
    },
    run() {
      engine.sweep(K_C);
      return engine.spins[0];
    },
    teardown: () => engine.dispose(),
  };
}

/** 32 multispin-coded replicas, one sweep on all cores (2 bands). */
function isingMultispin(L) {
  let engine;
  return {
    setup() {
      engine = new kernels.IsingMultispinEngine(L, RandomStream.fromSeed(L).split('multispin'), 2);
    },
    run() {
      engine.sweep(K_C);
      return engine.words[0];
    },
    teardown: () => engine.dispose(),
  };
}

function histogram() {
  let x;
  return {
    setup() {
      x = RandomStream.fromSeed(100).fillNormal(new Float32Array(1_000_000));
    },
    run: () => kernels.histogram1dCpu(x, 100, { lo: -5, hi: 5 })[50],
  };
}

/** KL(p‖q) in nats between the 100-bin histograms of two 1e6-sample sets, KT pseudo-count ½ (as reference.py). */
function histogramKl() {
  let x, y;
  return {
    setup() {
      const random = RandomStream.fromSeed(101);
      x = random.fillNormal(new Float32Array(1_000_000));
      y = random.fillNormal(new Float32Array(1_000_000), 0.5, 1);
    },
    run() {
      const p = kernels.histogram1dCpu(x, 100, { lo: -5, hi: 5 });
      const q = kernels.histogram1dCpu(y, 100, { lo: -5, hi: 5 });
      let np = 50,
        nq = 50;
      for (let i = 0; i < 100; i++) {
        np += p[i];
        nq += q[i];
      }
      let kl = 0;
      for (let i = 0; i < 100; i++) {
        const pi = (p[i] + 0.5) / np;
        const qi = (q[i] + 0.5) / nq;
        kl += pi * Math.log(pi / qi);
      }
      return kl;
    },
  };
}

module.exports = {
  K_C,
  factories: {
    'matmul-512': () => matmul(512),
    'matmul-1024': () => matmul(1024),
    'mlp-train-step': trainStep,
    'random-mlp-forward': randomMlpForward,
    'ising-checkerboard-256': () => isingCheckerboardThreaded(256),
    'ising-checkerboard-1024': () => isingCheckerboardThreaded(1024),
    'ising-checkerboard-1024-1thread': () => isingCheckerboard(1024),
    'ising-multispin-1024': () => isingMultispin(1024),
    'histogram-1e6': histogram,
    'histogram-kl-1e6': histogramKl,
  },
};
