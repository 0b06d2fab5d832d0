import { saturationCutoff } from './cutoff';

describe("saturationCutoff (the authors' cutoff_det rule)", () => {
  const tol = { atol: 1e-8, rtol: 0.005 };

  it('returns the index of the last entry outside tolerance when the curve saturates after index k', () => {
    const curve = [0.1, 0.4, 0.8, 0.97, 1, 1, 1, 1];
    // 0.97 differs from 1 by 0.03 > 0.005: index 3 (layer 4), saturated from layer 5 = index + 2.
    expect(saturationCutoff(curve, tol)).toEqual({ index: 3, saturationDepth: 5, allSaturated: false, length: 8 });
    for (let k = 0; k < 10; k++) {
      const c = Array.from({ length: 12 }, (_, i) => (i <= k ? 0.5 : 1));
      expect(saturationCutoff(c, tol).index).toBe(k);
    }
  });

  it('returns the curve length for an all-saturated curve (the code quirk), flagged; −1 under the corrected rule', () => {
    const curve = [1.004, 0.998, 1.0, 1.0];
    expect(saturationCutoff(curve, tol)).toEqual({ index: 4, saturationDepth: 1, allSaturated: true, length: 4 });
    expect(saturationCutoff(curve, tol, 'corrected')).toEqual({
      index: -1,
      saturationDepth: 1,
      allSaturated: true,
      length: 4,
    });
  });

  it('ignores noise within tolerance in the tail and finds the last excursion', () => {
    const noise = [0.004, -0.003, 0.0049, -0.0049, 0.001, 0.002, -0.004, 0.0];
    const curve = [0.2, 0.6, 0.9, ...noise.map((n) => 1 + n)];
    expect(saturationCutoff(curve, tol).index).toBe(2);
    const excursion = [...curve];
    excursion[6] = 1.0051; // just outside 0.005
    expect(saturationCutoff(excursion, tol).index).toBe(6);
    // A looser tolerance saturates earlier: 0.9 is within 15 % of the last value, 0.6 is not.
    expect(saturationCutoff(curve, { atol: 1e-8, rtol: 0.15 }).index).toBe(1);
  });

  it('uses the tolerance relative to the final value (numpy.isclose(v, v_last))', () => {
    // |v − last| ≤ atol + rtol·|last|: with last = 200, 0.99 is within 1.0.
    expect(saturationCutoff([199.01, 200], tol).allSaturated).toBe(true);
    expect(saturationCutoff([198.99, 200], tol).index).toBe(0);
    // atol alone decides at a final value of 0.
    expect(saturationCutoff([5e-9, 0], tol).allSaturated).toBe(true);
    expect(saturationCutoff([2e-8, 0], tol).index).toBe(0);
  });

  it('rejects empty and non-finite curves', () => {
    expect(() => saturationCutoff([])).toThrow(/at least one/);
    expect(() => saturationCutoff([1, Infinity])).toThrow(/finite/);
  });
});
