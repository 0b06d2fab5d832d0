import { RandomStream } from '@entroscope/core';
import {
  activations,
  backendIds,
  columnMeanCpu,
  columnVarianceCpu,
  gpujsUnavailableReasonSync,
  histogram1dCpu,
  histogram2dCpu,
  isingCheckerboardHalfSweepCpu,
  kNearestNeighboursCpu,
  kernelsFor,
  logSumExpCpu,
  matmulCpu,
  pairwiseSquaredDistancesCpu,
  rowMeanCpu,
  rowVarianceCpu,
  activationCpu,
  activationDerivativeCpu,
  softmaxBackwardCpu,
  softmaxCpu,
  acceptanceTable,
  checkBackend,
  type BackendId,
  type GpujsMode,
  type KernelBackend,
} from '@entroscope/kernels';

/**
 * Kernel conformance: every backend against the CPU twins on seeded random shapes — odd sizes, size 1 and
 * empty inputs — with float32 tolerances stated per kernel (ε = 2^−23, the float32 machine epsilon):
 *
 * - matmul: |C − C_twin| ≤ (k + 4)·ε·(Σ_p |op(A)_ip·op(B)_pj| + |bias_j|)·1.13 + 4ε·|C_twin| — the rigorous bound of
 *   a float32 sum of k products (Higham, *Accuracy and Stability*, §3.1), times the largest activation slope
 *   (erf' ≤ 2/√π), plus rounding of the result and the activation's own float32 error.
 * - activations and derivatives: |y − y_twin| ≤ 16ε·max(1, |y_twin|) (float32 transcendental functions).
 * - softmax and its backward pass: |y − y_twin| ≤ (cols + 16)·ε·max(1, Σ_j |g_ij|) (sums over a row).
 * - reductions: (count + 4)·ε·scale with scale = max|x| (mean, log-sum-exp) or max x² (variance).
 * - histograms: exact counts, on samples kept ≥ 1e-3 bin widths from every bin edge (float32 binning may move
 *   a sample sitting on an edge; that is a representation effect, not a kernel error).
 * - distances: |D − D_twin| ≤ (d + 4)·ε·Σ_c (|x_ic| + |y_jc|)²; k-NN: the twin's distances of the returned
 *   neighbours equal the twin's k smallest within that tolerance (near-ties may swap order).
 * - Ising half-sweep: exact spins and flip count, with uniforms kept ≥ 1e-6 from every acceptance probability.
 * - random fills: bit-identical (randoms are always generated on the host).
 *
 * A backend that cannot run here is not silently passed: each of its tests is registered as skipped with the
 * reason in its name, so jest counts and prints them.
 */
const EPS = 2 ** -23;

/** Why each backend is unavailable (null when it runs), decided synchronously at collection time. */
export function kernelBackendSkips(ids: readonly BackendId[] = backendIds): { id: BackendId; reason: string | null }[] {
  return ids.map((id) => ({ id, reason: id === 'cpu' ? null : gpujsUnavailableReasonSync(id.slice(6) as GpujsMode) }));
}

function shapes(random: RandomStream, count: number, max: number): number[] {
  const odd = [1, 3, 7, 13, 33].filter((v) => v <= max);
  return Array.from({ length: count }, (_, i) => (i < odd.length ? odd[i]! : 1 + random.int(max)));
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number) => number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) throw new Error(`${what}[${i}]: expected NaN, got ${g}`);
      continue;
    }
    if (!(Math.abs(g - w) <= tol(i)) && g !== w)
      throw new Error(`${what}[${i}]: got ${g}, twin ${w}, tolerance ${tol(i)}`);
  }
}

/** Registers the conformance tests of the given backends (default: all). */
export function describeKernelConformance(ids: readonly BackendId[] = backendIds, seed = 2024): void {
  for (const { id, reason } of kernelBackendSkips(ids)) {
    describe(`kernel conformance: ${id}`, () => {
      const cases: [string, (k: KernelBackend, random: RandomStream) => Promise<void>][] = [
        ['matmul (all transposes, bias, activations, odd and empty shapes)', matmulCase],
        ['activations and derivatives', activationCase],
        ['softmax and softmax backward', softmaxCase],
        ['row/column mean and variance, log-sum-exp', reductionCase],
        ['1D and 2D histograms', histogramCase],
        ['pairwise squared distances and k nearest neighbours', distanceCase],
        ['Ising checkerboard half-sweep', isingCase],
        ['seeded uniform and normal fills', randomCase],
        ['argument errors', errorCase],
      ];
      if (reason !== null) {
        for (const [name] of cases) it.skip(`${name} [SKIPPED ${id}: ${reason}]`, () => undefined);
        return;
      }
      let backend: KernelBackend;
      beforeAll(async () => {
        const availability = await checkBackend(id);
        if (!availability.available)
          throw new Error(`${id} looked available but failed its full check: ${availability.reason}`);
        backend = kernelsFor({ id });
      });
      for (const [name, run] of cases)
        it(name, () => run(backend, RandomStream.fromSeed(seed).split(`${id}/${name}`)), 60000);
    });
  }
}

async function matmulCase(k: KernelBackend, random: RandomStream): Promise<void> {
  const dims = shapes(random, 6, 40);
  const triples: [number, number, number][] = dims.map((d, i) => [
    d,
    dims[(i + 2) % dims.length]!,
    dims[(i + 4) % dims.length]!,
  ]);
  // Empty and size-1 shapes, and products large enough for the cpu backend's SIMD engine (odd sizes, k = 1, k across several depth blocks).
  triples.push([0, 3, 4], [3, 0, 4], [3, 4, 0], [1, 1, 1], [61, 67, 53], [130, 1, 900], [3, 5000, 9], [97, 255, 31]);
  let t = 0;
  for (const [m, kk, n] of triples) {
    const transposeA = (t & 1) === 1;
    const transposeB = (t & 2) === 2;
    const activation = activations[t % activations.length]!;
    t++;
    const a = random.fillNormal(new Float32Array(m * kk));
    const b = random.fillNormal(new Float32Array(kk * n));
    const bias = t % 3 === 0 ? undefined : random.fillNormal(new Float32Array(n));
    const options = { transposeA, transposeB, activation, ...(bias && { bias }) };
    const got = await k.matmul(a, b, m, kk, n, options);
    const want = matmulCpu(a, b, m, kk, n, options);
    const absSum = matmulCpu(a.map(Math.abs), b.map(Math.abs), m, kk, n, {
      transposeA,
      transposeB,
      ...(bias && { bias: bias.map(Math.abs) }),
    });
    expectClose(
      got,
      want,
      (i) => (kk + 4) * EPS * absSum[i]! * 1.13 + 4 * EPS * Math.abs(want[i]!),
      `matmul ${m}×${kk}·${kk}×${n} tA=${transposeA} tB=${transposeB} ${activation}`,
    );
  }
}

async function activationCase(k: KernelBackend, random: RandomStream): Promise<void> {
  for (const size of [0, 1, 7, 1001]) {
    const x = random.fillNormal(new Float32Array(size), 0, 2);
    for (const name of activations) {
      expectClose(
        await k.activation(name, x),
        activationCpu(name, x),
        (i) => 16 * EPS * Math.max(1, Math.abs(x[i]!)),
        `${name}(${size})`,
      );
      expectClose(
        await k.activationDerivative(name, x),
        activationDerivativeCpu(name, x),
        () => 16 * EPS * 2,
        `${name}'(${size})`,
      );
    }
  }
}

async function softmaxCase(k: KernelBackend, random: RandomStream): Promise<void> {
  for (const [rows, cols] of [
    [1, 1],
    [3, 7],
    [13, 33],
    [0, 5],
    [4, 0],
  ] as const) {
    const x = random.fillNormal(new Float32Array(rows * cols), 0, 3);
    const y = softmaxCpu(x, rows, cols);
    expectClose(await k.softmax(x, rows, cols), y, () => (cols + 16) * EPS, `softmax ${rows}×${cols}`);
    const g = random.fillNormal(new Float32Array(rows * cols));
    const rowAbs = (i: number) =>
      g.subarray(Math.floor(i / cols) * cols, Math.floor(i / cols) * cols + cols).reduce((s, v) => s + Math.abs(v), 0);
    expectClose(
      await k.softmaxBackward(y, g, rows, cols),
      softmaxBackwardCpu(y, g, rows, cols),
      (i) => (cols + 16) * EPS * Math.max(1, rowAbs(i)),
      `softmax backward ${rows}×${cols}`,
    );
  }
}

async function reductionCase(k: KernelBackend, random: RandomStream): Promise<void> {
  for (const [rows, cols] of [
    [1, 1],
    [7, 3],
    [33, 13],
    [0, 4],
    [5, 0],
    [2, 1],
  ] as const) {
    const x = random.fillNormal(new Float32Array(rows * cols), 1, 2);
    const maxAbs = x.reduce((s, v) => Math.max(s, Math.abs(v)), 1);
    expectClose(
      await k.rowMean(x, rows, cols),
      rowMeanCpu(x, rows, cols),
      () => (cols + 4) * EPS * maxAbs,
      `row mean ${rows}×${cols}`,
    );
    expectClose(
      await k.columnMean(x, rows, cols),
      columnMeanCpu(x, rows, cols),
      () => (rows + 4) * EPS * maxAbs,
      `column mean ${rows}×${cols}`,
    );
    for (const ddof of [0, 1]) {
      expectClose(
        await k.rowVariance(x, rows, cols, ddof),
        rowVarianceCpu(x, rows, cols, ddof),
        () => 2 * (cols + 4) * EPS * maxAbs ** 2,
        `row variance ddof=${ddof} ${rows}×${cols}`,
      );
      expectClose(
        await k.columnVariance(x, rows, cols, ddof),
        columnVarianceCpu(x, rows, cols, ddof),
        () => 2 * (rows + 4) * EPS * maxAbs ** 2,
        `column variance ddof=${ddof} ${rows}×${cols}`,
      );
    }
    expectClose(
      await k.logSumExp(x, rows, cols),
      logSumExpCpu(x, rows, cols),
      () => (cols + 4) * EPS * (maxAbs + 1),
      `log-sum-exp ${rows}×${cols}`,
    );
  }
}

/** Normal samples at least `margin` bin widths away from every edge of `bins` bins on [lo, hi]. */
function awayFromEdges(random: RandomStream, n: number, bins: number, lo: number, hi: number): Float32Array {
  const width = (hi - lo) / bins;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do {
      v = Math.fround(random.normal() * (hi - lo) * 0.3 + (hi + lo) / 2);
    } while (Math.abs((v - lo) / width - Math.round((v - lo) / width)) < 1e-3);
    out[i] = v;
  }
  return out;
}

async function histogramCase(k: KernelBackend, random: RandomStream): Promise<void> {
  for (const [n, bins] of [
    [0, 3],
    [1, 1],
    [1001, 7],
    [20000, 100],
  ] as const) {
    const x = awayFromEdges(random, n, bins, -2, 3);
    expect(Array.from(await k.histogram1d(x, bins, { lo: -2, hi: 3 }))).toEqual(
      Array.from(histogram1dCpu(x, bins, { lo: -2, hi: 3 })),
    );
    const y = awayFromEdges(random, n, 5, 0, 1);
    const want = histogram2dCpu(x, y, bins, 5, { lo: -2, hi: 3 }, { lo: 0, hi: 1 });
    expect(Array.from(await k.histogram2d(x, y, bins, 5, { lo: -2, hi: 3 }, { lo: 0, hi: 1 }))).toEqual(
      Array.from(want),
    );
  }
}

async function distanceCase(k: KernelBackend, random: RandomStream): Promise<void> {
  for (const [n, m, d] of [
    [1, 1, 1],
    [7, 13, 3],
    [33, 17, 5],
    [0, 4, 2],
    [3, 0, 2],
    [3, 4, 0],
  ] as const) {
    const x = random.fillNormal(new Float32Array(n * d));
    const y = random.fillNormal(new Float32Array(m * d));
    const want = pairwiseSquaredDistancesCpu(x, y, n, m, d);
    const tol = (i: number) => {
      const r = Math.floor(i / m);
      const c = i % m;
      let s = 0;
      for (let t = 0; t < d; t++) s += (Math.abs(x[r * d + t]!) + Math.abs(y[c * d + t]!)) ** 2;
      return (d + 4) * EPS * s;
    };
    expectClose(await k.pairwiseSquaredDistances(x, y, n, m, d), want, tol, `distances ${n}×${m}×${d}`);
    if (m >= 2 && d > 0) {
      const kk = Math.min(3, m);
      const got = await k.kNearestNeighbours(x, y, n, m, d, kk);
      const ref = kNearestNeighboursCpu(x, y, n, m, d, kk);
      for (let i = 0; i < n; i++) {
        for (let r = 0; r < kk; r++) {
          const j = got.indices[i * kk + r]!;
          expect(Math.abs(want[i * m + j]! - ref.distances[i * kk + r]!)).toBeLessThanOrEqual(
            2 * tol(i * m + j) + 1e-30,
          );
        }
      }
      if (n === m) {
        const self = await k.kNearestNeighbours(x, x, n, n, d, 1, true);
        for (let i = 0; i < n; i++) expect(self.indices[i]).not.toBe(i);
      }
    }
  }
}

async function isingCase(k: KernelBackend, random: RandomStream): Promise<void> {
  for (const [L, K] of [
    [2, 0.3],
    [6, 0.4406868],
    [10, -0.7],
    [34, 0.25],
    [64, 0.5],
  ] as const) {
    const spins = new Int8Array(L * L).map(() => (random.nextUint32() & 1 ? 1 : -1));
    const twin = spins.slice();
    const p = acceptanceTable(K);
    for (const parity of [0, 1, 1, 0] as const) {
      const u = new Float32Array((L * L) / 2).map(() => {
        let v: number;
        do v = Math.fround(random.uniform());
        while (p.some((q) => Math.abs(v - q) < 1e-6));
        return v;
      });
      const flips = await k.isingCheckerboardHalfSweep(spins, L, K, parity, u);
      expect(flips).toBe(isingCheckerboardHalfSweepCpu(twin, L, K, parity, u));
      expect(spins).toEqual(twin);
    }
  }
}

async function randomCase(k: KernelBackend): Promise<void> {
  for (const size of [0, 1, 1001]) {
    expect(await k.fillUniform(RandomStream.fromSeed(size), new Float32Array(size))).toEqual(
      RandomStream.fromSeed(size).fillUniform(new Float32Array(size)),
    );
    expect(await k.fillNormal(RandomStream.fromSeed(size), new Float64Array(size), 2, 3)).toEqual(
      RandomStream.fromSeed(size).fillNormal(new Float64Array(size), 2, 3),
    );
  }
}

async function errorCase(k: KernelBackend): Promise<void> {
  await expect(k.matmul(new Float32Array(5), new Float32Array(4), 2, 2, 2)).rejects.toThrow(/expected 4 elements/);
  await expect(k.isingCheckerboardHalfSweep(new Int8Array(9), 3, 0.4, 0, new Float32Array(9))).rejects.toThrow(
    /even integer/,
  );
  await expect(k.histogram1d(new Float32Array(3), 0, { lo: 0, hi: 1 })).rejects.toThrow(/bins/);
  await expect(k.kNearestNeighbours(new Float32Array(4), new Float32Array(4), 2, 2, 2, 3)).rejects.toThrow(
    /k: expected an integer in 1…2/,
  );
  await expect(k.softmax(new Float32Array(5), 2, 3)).rejects.toThrow(/rows·cols = 6/);
}
