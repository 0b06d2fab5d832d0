import { RandomStream } from '@entroscope/core';
import {
  activationCpu,
  activationDerivativeCpu,
  activationDerivativeScalar,
  activationScalar,
  erf,
  softmaxBackwardCpu,
  softmaxCpu,
} from './activation-cpu';
import { activations } from '../kernel-names';

describe('activations', () => {
  it('erf matches reference values (Abramowitz & Stegun table 7.1) within 1.2e-7', () => {
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.3, 0.3286267594591112],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
    ];
    for (const [x, want] of table) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(1.2e-7);
      expect(Math.abs(erf(-x) + want)).toBeLessThan(1.2e-7);
    }
  });

  it('derivatives agree with central finite differences (step 1e-5, tolerance 1e-6)', () => {
    for (const name of activations) {
      const f = activationScalar(name);
      const df = activationDerivativeScalar(name);
      for (const x of [-2.3, -0.7, -0.1, 0.2, 0.9, 3.1]) {
        const h = 1e-5;
        // erf's fitted branch has ~1e-7 error, so its finite difference is only good to ~1e-2·h⁻¹·1e-7 ≈ 1e-2... use a wider step there.
        const step = name === 'erf' ? 1e-3 : h;
        const fd = (f(x + step) - f(x - step)) / (2 * step);
        expect(Math.abs(fd - df(x))).toBeLessThan(name === 'erf' ? 1e-4 : 1e-6);
      }
    }
  });

  it('sigmoid is stable for large |x| and tanh/relu are odd/clipped', () => {
    expect(activationScalar('sigmoid')(-800)).toBe(0);
    expect(activationScalar('sigmoid')(800)).toBe(1);
    expect(activationScalar('relu')(-3)).toBe(0);
    expect(activationDerivativeScalar('relu')(0)).toBe(0);
    const x = new Float32Array([-1, 0, 2]);
    expect(Array.from(activationCpu('tanh', x))).toEqual([Math.tanh(-1), 0, Math.tanh(2)].map(Math.fround));
    expect(Array.from(activationDerivativeCpu('identity', x))).toEqual([1, 1, 1]);
  });

  it('rejects an unknown activation, naming the valid ones', () => {
    expect(() => activationScalar('gelu' as never)).toThrow(/one of 'identity', 'tanh'/);
  });
});

describe('softmax', () => {
  const random = RandomStream.fromSeed(5);
  it('rows sum to one, are shift-invariant and survive huge inputs', () => {
    const x = random.fillNormal(new Float32Array(6 * 9), 0, 3);
    const y = softmaxCpu(x, 6, 9);
    for (let i = 0; i < 6; i++) expect(y.slice(i * 9, i * 9 + 9).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    const shifted = softmaxCpu(
      x.map((v) => v + 50),
      6,
      9,
    );
    for (let i = 0; i < y.length; i++) expect(Math.abs(shifted[i]! - y[i]!)).toBeLessThan(1e-6);
    expect(Array.from(softmaxCpu(new Float32Array([1e30, 1e30]), 1, 2))).toEqual([0.5, 0.5]);
  });

  it('the backward pass equals the finite-difference gradient of L = Σ g·softmax(x)', () => {
    const rows = 3;
    const cols = 5;
    const x = random.fillNormal(new Float64Array(rows * cols));
    const g = random.fillNormal(new Float64Array(rows * cols));
    const loss = (z: Float64Array) => softmaxCpu(z, rows, cols).reduce((s, v, i) => s + v * g[i]!, 0);
    const dx = softmaxBackwardCpu(softmaxCpu(x, rows, cols), g, rows, cols);
    for (let i = 0; i < x.length; i++) {
      const h = 1e-3;
      const plus = Float64Array.from(x);
      plus[i] += h;
      const minus = Float64Array.from(x);
      minus[i] -= h;
      // float32 storage of y limits the difference quotient to ~1e-7/h ≈ 1e-4.
      expect(Math.abs((loss(plus) - loss(minus)) / (2 * h) - dx[i]!)).toBeLessThan(5e-4);
    }
  });

  it('empty matrices give empty results; wrong sizes are rejected', () => {
    expect(softmaxCpu(new Float32Array(0), 0, 4).length).toBe(0);
    expect(() => softmaxCpu(new Float32Array(5), 2, 3)).toThrow(/rows·cols = 6/);
  });
});
