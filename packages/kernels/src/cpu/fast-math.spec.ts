import { tanhFast } from './fast-math';

describe('tanhFast', () => {
  it('is within 2e-10 absolute and 1e-9 relative of Math.tanh on a dense grid over [−24, 24] (and exact at 0, ±∞)', () => {
    let worstAbs = 0;
    let worstRel = 0;
    for (let i = -2_400_000; i <= 2_400_000; i++) {
      const x = i * 1e-5 + 3.3e-7;
      const want = Math.tanh(x);
      const err = Math.abs(tanhFast(x) - want);
      worstAbs = Math.max(worstAbs, err);
      worstRel = Math.max(worstRel, err / Math.abs(want));
    }
    expect(worstAbs).toBeLessThan(2e-10);
    expect(worstRel).toBeLessThan(1e-9);
    expect(tanhFast(0)).toBe(0);
    expect(tanhFast(Infinity)).toBe(1);
    expect(tanhFast(-Infinity)).toBe(-1);
    expect(tanhFast(1e-300)).toBe(1e-300);
  });

  it('rounds to the same float32 as Math.tanh except within one ulp', () => {
    for (let i = -5000; i <= 5000; i++) {
      const x = i * 0.00173;
      const a = Math.fround(tanhFast(x));
      const b = Math.fround(Math.tanh(x));
      expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(b) * 2 ** -23 + 1e-45);
    }
  });
});
