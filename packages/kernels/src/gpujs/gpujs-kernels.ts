/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Kernel sources for gpu.js. These functions are transpiled by gpu.js (to GLSL, WGSL, WebAssembly or plain
 * JS), so they use only what its parser accepts: `function` expressions, `this.thread`, numeric arguments and
 * flat arrays, `Math.*`, `for` loops with a bound below `loopMaxIterations`. All arithmetic is float32.
 * Every 1D result uses a 2D output [width, height] with width ≤ 4096 (headlessgl textures are ≤ 16384 wide);
 * element index = y·width + x. Loop variables are unique within a kernel (gpu.js's cpu mode hoists them).
 */

/** erf in float32: Maclaurin series for |x| < 0.5, Numerical Recipes' erfc fit otherwise (as erf() of the twin). */
export function erfGpu(x: number): number {
  const z = Math.abs(x);
  if (z < 0.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 12; n++) {
      term = (term * -x2) / n;
      sum = sum + term / (2 * n + 1);
    }
    return 1.1283791670955126 * sum;
  }
  const t = 1.0 / (1.0 + 0.5 * z);
  const e =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  if (x >= 0) return 1.0 - e;
  return e - 1.0;
}

export function sigmoidGpu(x: number): number {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}

/** Activation by code: 0 identity, 1 tanh, 2 relu, 3 sigmoid, 4 erf. */
export function activateGpu(x: number, code: number): number {
  if (code === 1) return Math.tanh(x);
  if (code === 2) return Math.max(x, 0.0);
  if (code === 3) return sigmoidGpu(x);
  if (code === 4) return erfGpu(x);
  return x;
}

export function activateDerivativeGpu(x: number, code: number): number {
  if (code === 1) {
    const t = Math.tanh(x);
    return 1.0 - t * t;
  }
  if (code === 2) {
    if (x > 0) return 1.0;
    return 0.0;
  }
  if (code === 3) {
    const s = sigmoidGpu(x);
    return s * (1.0 - s);
  }
  if (code === 4) return 1.1283791670955126 * Math.exp(-x * x);
  return 1.0;
}

// Kernel bodies (`this` is gpu.js's kernel context).
export const kernelSources = {
  /** C[y, x] = φ(Σ_p op(A)[y, p]·op(B)[p, x] + bias[x]); output [n, m]. */
  matmul: function (
    this: any,
    a: any,
    b: any,
    bias: any,
    m: number,
    k: number,
    n: number,
    ta: number,
    tb: number,
    code: number,
  ): number {
    let s = 0.0;
    for (let p = 0; p < k; p++) {
      let av = 0.0;
      if (ta > 0) av = a[p * m + this.thread.y];
      else av = a[this.thread.y * k + p];
      let bv = 0.0;
      if (tb > 0) bv = b[this.thread.x * k + p];
      else bv = b[p * n + this.thread.x];
      s = s + av * bv;
    }
    return activateGpu(s + bias[this.thread.x], code);
  },
  activation: function (this: any, x: any, len: number, width: number, code: number, derivative: number): number {
    const i = this.thread.y * width + this.thread.x;
    if (i >= len) return 0.0;
    if (derivative > 0) return activateDerivativeGpu(x[i], code);
    return activateGpu(x[i], code);
  },
  /** Per row: max + log Σ exp(x − max) (output [rows] in the 2D layout). */
  logSumExp: function (this: any, x: any, rows: number, cols: number, width: number): number {
    const i = this.thread.y * width + this.thread.x;
    if (i >= rows) return 0.0;
    let mx = -3.4e38;
    for (let j = 0; j < cols; j++) mx = Math.max(mx, x[i * cols + j]);
    let s = 0.0;
    for (let j2 = 0; j2 < cols; j2++) s = s + Math.exp(x[i * cols + j2] - mx);
    return mx + Math.log(s);
  },
  /** softmax from per-row log-sum-exp; output [cols, rows]. */
  softmaxFromLse: function (this: any, x: any, lse: any, cols: number): number {
    return Math.exp(x[this.thread.y * cols + this.thread.x] - lse[this.thread.y]);
  },
  /** Per-row Σ g·y (2D layout). */
  rowDot: function (this: any, y: any, g: any, rows: number, cols: number, width: number): number {
    const i = this.thread.y * width + this.thread.x;
    if (i >= rows) return 0.0;
    let s = 0.0;
    for (let j = 0; j < cols; j++) s = s + y[i * cols + j] * g[i * cols + j];
    return s;
  },
  softmaxBackward: function (this: any, y: any, g: any, dot: any, cols: number): number {
    const idx = this.thread.y * cols + this.thread.x;
    return y[idx] * (g[idx] - dot[this.thread.y]);
  },
  /** Mean (moment 1) or two-pass variance (moment 2, divided by count − ddof) of rows (axis 0) or columns (axis 1). */
  reduce: function (
    this: any,
    x: any,
    rows: number,
    cols: number,
    width: number,
    axis: number,
    moment: number,
    ddof: number,
  ): number {
    const i = this.thread.y * width + this.thread.x;
    let count = cols;
    let stride = 1;
    let base = i * cols;
    if (axis > 0) {
      count = rows;
      stride = cols;
      base = i;
      if (i >= cols) return 0.0;
    } else if (i >= rows) return 0.0;
    let s = 0.0;
    for (let t = 0; t < count; t++) s = s + x[base + t * stride];
    const mean = s / count;
    if (moment < 2) return mean;
    let v = 0.0;
    for (let t2 = 0; t2 < count; t2++) {
      const d = x[base + t2 * stride] - mean;
      v = v + d * d;
    }
    return v / (count - ddof);
  },
  /** Bin index (or −1) of each sample, numpy.histogram semantics (2D layout). */
  binIndex: function (this: any, x: any, len: number, width: number, bins: number, lo: number, hi: number): number {
    const i = this.thread.y * width + this.thread.x;
    if (i >= len) return -1.0;
    const v = x[i];
    if (v >= lo && v <= hi) {
      const b = Math.floor(((v - lo) / (hi - lo)) * bins);
      if (b >= bins) return bins - 1;
      return b;
    }
    return -1.0;
  },
  /** D[y, x] = Σ_c (x_yc − y_xc)²; output [m, n]. */
  pairwise: function (this: any, x: any, y: any, d: number): number {
    let s = 0.0;
    for (let c = 0; c < d; c++) {
      const diff = x[this.thread.y * d + c] - y[this.thread.x * d + c];
      s = s + diff * diff;
    }
    return s;
  },
  /** New spin at (y, x) after the half-sweep of `parity`; uniforms indexed (y·L + x) / 2 (row-major order of that parity). */
  isingHalfSweep: function (this: any, spins: any, uniforms: any, accept: any, L: number, parity: number): number {
    const i = this.thread.y;
    const j = this.thread.x;
    const s = spins[i * L + j];
    if ((i + j) % 2 !== parity) return s;
    let up = i - 1;
    if (up < 0) up = L - 1;
    let down = i + 1;
    if (down >= L) down = 0;
    let left = j - 1;
    if (left < 0) left = L - 1;
    let right = j + 1;
    if (right >= L) right = 0;
    const nn = spins[up * L + j] + spins[down * L + j] + spins[i * L + left] + spins[i * L + right];
    const u = uniforms[Math.floor((i * L + j) / 2)];
    if (u < accept[Math.floor((s * nn + 4) / 2)]) return -s;
    return s;
  },
};
