import { RandomStream } from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { MeanField, criticalLine } from '@entroscope/mean-field';
import { CascadeNetwork } from './cascade-network';
import { cascadeWidths } from './cascade-widths';

const kernels = kernelsFor({ id: 'cpu' });

/** Float64 twin of one block's map tanh(M x + v) with M [out, in] row-major. */
function affineTanh(m: ArrayLike<number>, v: ArrayLike<number>, x: number[], nOut: number): number[] {
  const nIn = x.length;
  return Array.from({ length: nOut }, (_, i) => {
    let s = v[i]!;
    for (let j = 0; j < nIn; j++) s += m[i * nIn + j]! * x[j]!;
    return Math.tanh(s);
  });
}

describe('cascadeWidths', () => {
  it("follows the code's 'wide' and 'shrinking' schedules", () => {
    expect(cascadeWidths('wide', 5, 784)).toEqual([784, 784, 784, 784, 400, 10]);
    // ⌈linspace(784, 10, 5)⌉ = ⌈784, 590.5, 397, 203.5, 10⌉
    expect(cascadeWidths('shrinking', 5, 784)).toEqual([784, 591, 397, 204, 10]);
    expect(() => cascadeWidths('wide', 2, 784)).toThrow(/depth/);
  });
});

describe('CascadeNetwork', () => {
  it('initialises W ~ N(0, σ_w²/N_in), b ~ N(0, σ_b²) and the maps U(±1/√N_ℓ) (PyTorch Linear)', () => {
    const net = new CascadeNetwork([200, 200, 150], 2.0, 0.05, RandomStream.fromSeed(3));
    const w = net.forward[0]!.weight;
    const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
    // 40 000 draws: relative SE of the variance √(2/n) = 0.7 %; 4 SE.
    expect(Math.abs(variance / (2.0 / 200) - 1)).toBeLessThan(0.03);
    const v = net.inverse[1]!.weight.value; // Linear(150 → 200): bound 1/√150
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(150));
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.99 / Math.sqrt(150));
  });

  it('reconstructs x̂^(ℓ) = g_1∘…∘g_ℓ(a^ℓ) with g_1 applied last (float64 twin, 1e-5)', async () => {
    const widths = [6, 5, 4, 3];
    const net = new CascadeNetwork(widths, 1.5, 0.05, RandomStream.fromSeed(11));
    const x = Float32Array.from({ length: 2 * 6 }, (_, i) => ((i * 7) % 11) / 11);
    const seen: Float32Array[] = [];
    await net.reconstruct(x, 2, kernels, (_l, r) => void seen.push(r));
    expect(seen).toHaveLength(3);
    for (let row = 0; row < 2; row++) {
      let a = Array.from(x.subarray(row * 6, row * 6 + 6));
      for (let l = 0; l < 3; l++) {
        a = affineTanh(net.forward[l]!.weight, net.forward[l]!.bias, a, widths[l + 1]!);
        let r = a;
        for (let k = l; k >= 0; k--)
          r = affineTanh(net.inverse[k]!.weight.value, net.inverse[k]!.bias.value, r, widths[k]!);
        r.forEach((v, i) => expect(Math.abs(seen[l]![row * widths[0]! + i]! - v)).toBeLessThan(1e-5));
      }
    }
  });

  it('takes one Adam step per map on mse(g_ℓ(a^ℓ), a^{ℓ−1}) with a detached forward (float64 twin of two steps, 1e-5)', async () => {
    const widths = [5, 4, 3];
    const net = new CascadeNetwork(widths, 1.2, 0.05, RandomStream.fromSeed(5));
    // Float64 copies of the state before training.
    const V = net.inverse.map((g) => Array.from(g.weight.value));
    const c = net.inverse.map((g) => Array.from(g.bias.value));
    const m = V.map((v, l) => ({ V: v.map(() => 0), c: c[l]!.map(() => 0) }));
    const s = V.map((v, l) => ({ V: v.map(() => 0), c: c[l]!.map(() => 0) }));
    const rows = 3;
    const batches = [0, 1].map((b) =>
      Float32Array.from({ length: rows * 5 }, (_, i) => (((i + 3 * b) * 13) % 17) / 17),
    );
    for (const [t, x] of batches.entries()) {
      const losses = await net.trainBatch(x, rows, kernels);
      // Reference: for each block, forward a^ℓ, g = tanh(V a + c), loss = mean (g − a^{ℓ−1})², Adam (PyTorch).
      let prev = Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * 5, r * 5 + 5)));
      for (let l = 0; l < 2; l++) {
        const nIn = widths[l]!;
        const nOut = widths[l + 1]!;
        const a = prev.map((p) => affineTanh(net.forward[l]!.weight, net.forward[l]!.bias, p, nOut));
        const g = a.map((ar) => affineTanh(V[l]!, c[l]!, ar, nIn));
        let loss = 0;
        const gV = new Array<number>(nIn * nOut).fill(0);
        const gc = new Array<number>(nIn).fill(0);
        for (let r = 0; r < rows; r++)
          for (let i = 0; i < nIn; i++) {
            const d = g[r]![i]! - prev[r]![i]!;
            loss += (d * d) / (rows * nIn);
            const delta = ((2 * d) / (rows * nIn)) * (1 - g[r]![i]! ** 2);
            gc[i]! += delta;
            for (let j = 0; j < nOut; j++) gV[i * nOut + j]! += delta * a[r]![j]!;
          }
        expect(Math.abs(losses[l]! - loss)).toBeLessThan(1e-6);
        const step = t + 1;
        const adam = (p: number[], grad: number[], mm: number[], ss: number[]) => {
          for (let i = 0; i < p.length; i++) {
            mm[i] = 0.9 * mm[i]! + 0.1 * grad[i]!;
            ss[i] = 0.999 * ss[i]! + 0.001 * grad[i]! ** 2;
            p[i] =
              p[i]! - ((1e-3 / (1 - 0.9 ** step)) * mm[i]!) / (Math.sqrt(ss[i]!) / Math.sqrt(1 - 0.999 ** step) + 1e-8);
          }
        };
        adam(V[l]!, gV, m[l]!.V, s[l]!.V);
        adam(c[l]!, gc, m[l]!.c, s[l]!.c);
        prev = a;
      }
      for (let l = 0; l < 2; l++) {
        net.inverse[l]!.weight.value.forEach((v, i) => expect(Math.abs(v - V[l]![i]!)).toBeLessThan(1e-5));
        net.inverse[l]!.bias.value.forEach((v, i) => expect(Math.abs(v - c[l]![i]!)).toBeLessThan(1e-5));
      }
    }
    // The forward network is never trained.
    const fresh = new CascadeNetwork(widths, 1.2, 0.05, RandomStream.fromSeed(5));
    expect(Array.from(net.forward[1]!.weight)).toEqual(Array.from(fresh.forward[1]!.weight));
  });

  it('states its memory: 16 bytes per forward weight (W, V, Adam m, v) plus one gradient scratch', () => {
    const widths = cascadeWidths('wide', 150, 784);
    // Count without allocating the 1.5 GB network: Σ N_{ℓ−1}N_ℓ.
    const weights = widths.slice(1).reduce((a, n, l) => a + n * widths[l]!, 0);
    expect(weights).toBe(148 * 784 * 784 + 784 * 400 + 400 * 10);
    const small = new CascadeNetwork([30, 30, 20], 1, 0.05, RandomStream.fromSeed(1));
    // scratch 900 + forward (900 + 30) + (600 + 20) + inverse maps back to N_{ℓ−1} = 30: 3·(900 + 30) + 30 and
    // 3·(600 + 30) + 30 (value, Adam m and v; the bias gradient).
    expect(small.stateBytes()).toBe(4 * (900 + 930 + 620 + 3 * 930 + 30 + 3 * 630 + 30));
  });
});

describe('CascadeNetwork.lyapunovExponent', () => {
  it('is the mean ln ‖J_ℓ v‖ of a renormalised tangent vector, J_ℓ = diag(1 − a_ℓ²) W_ℓ (float64 twin, 1e-5)', async () => {
    const widths = [7, 7, 7, 7, 7];
    const net = new CascadeNetwork(widths, 2.0, 0.05, RandomStream.fromSeed(9));
    const rows = 3;
    const x = Float32Array.from({ length: rows * 7 }, (_, i) => ((i * 5) % 13) / 13);
    const { exponent, perRow } = await net.lyapunovExponent(x, rows, kernels, RandomStream.fromSeed(4), 1, 4);
    const draw = RandomStream.fromSeed(4);
    const v0 = Array.from({ length: rows * 7 }, () => draw.normal());
    let total = 0;
    for (let row = 0; row < rows; row++) {
      let a = Array.from(x.subarray(row * 7, row * 7 + 7));
      let v = v0.slice(row * 7, row * 7 + 7);
      let sum = 0;
      for (let l = 0; l < 4; l++) {
        a = affineTanh(net.forward[l]!.weight, net.forward[l]!.bias, a, 7);
        const w = net.forward[l]!.weight;
        const u = a.map((ai, i) => (1 - ai * ai) * v.reduce((s, vj, j) => s + w[i * 7 + j]! * vj, 0));
        const growth = Math.hypot(...u) / Math.hypot(...v);
        if (l >= 1) sum += Math.log(growth);
        v = u;
      }
      expect(Math.abs(perRow[row]! - sum / 3)).toBeLessThan(1e-5);
      total += sum / 3;
    }
    expect(Math.abs(exponent - total / rows)).toBeLessThan(1e-5);
    await expect(net.lyapunovExponent(x, rows, kernels, RandomStream.fromSeed(4), 2, 2)).rejects.toThrow(/from < to/);
  });

  // Mean field: λ → ½ ln χ₁ as N → ∞. Measured with these settings (N = 400, blocks 11–40, 16 uniform inputs,
  // seeds 1–6): mean λ − ½ ln χ₁ = −0.0025, −0.0019, −0.0045 at σ_w² = 1.0, 1.76, 2.5, spread (SD over networks)
  // 0.003–0.0045; the bound 0.015 is the offset plus 3 SD. At N = 49 (the width of the reduced cascade grids) the
  // offset at σ_w²_c is −0.020 (SD 0.009 over 6 networks, every one negative): a finite-width network at the
  // mean-field critical point is still ordered, its own critical point lies higher (docs/cascade.md).
  it('tends to ½ ln χ₁ of mean field for wide networks and falls below it at σ_w²_c for narrow ones', async () => {
    const critical = criticalLine('tanh', 0.05).sigmaW2;
    const exponentOf = async (n: number, blocks: number, sigmaW2: number, seed: number) => {
      const net = new CascadeNetwork(Array(blocks + 1).fill(n), sigmaW2, 0.05, RandomStream.fromSeed(seed));
      const r = RandomStream.fromSeed(seed).split('x');
      const x = Float32Array.from({ length: 16 * n }, () => r.uniform());
      return (await net.lyapunovExponent(x, 16, kernels, RandomStream.fromSeed(seed).split('v'), 10, blocks)).exponent;
    };
    for (const sigmaW2 of [1.0, critical, 2.5]) {
      const half = 0.5 * Math.log(new MeanField('tanh', sigmaW2, 0.05).summary().chi1);
      for (const seed of [1, 2, 3])
        expect(Math.abs((await exponentOf(400, 40, sigmaW2, seed)) - half)).toBeLessThan(0.015);
    }
    const narrow = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) narrow.push(await exponentOf(49, 98, critical, seed));
    for (const v of narrow) expect(v).toBeLessThan(0);
    expect(narrow.reduce((a, b) => a + b, 0) / narrow.length).toBeLessThan(-0.01);
  }, 120_000);
});
