import { millerMadowEntropy, plugInEntropy } from './discrete-entropy';

/** E[f(counts)] over the multinomial(N, p) distribution, by exact enumeration of all count vectors. */
function multinomialExpectation(p: number[], n: number, f: (counts: number[]) => number): number {
  const table = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) table[i] = table[i - 1]! + Math.log(i);
  const logP = p.map(Math.log);
  const logFactorial = (k: number) => table[k]!;
  let total = 0;
  const counts = new Array<number>(p.length).fill(0);
  const visit = (bin: number, remaining: number) => {
    if (bin === p.length - 1) {
      counts[bin] = remaining;
      let logProb = logFactorial(n);
      for (let i = 0; i < counts.length; i++) logProb += counts[i]! * logP[i]! - logFactorial(counts[i]!);
      total += Math.exp(logProb) * f(counts);
      return;
    }
    for (let c = 0; c <= remaining; c++) {
      counts[bin] = c;
      visit(bin + 1, remaining - c);
    }
  };
  visit(0, n);
  return total;
}

describe('discrete entropy estimators', () => {
  it('computes H(½, ¼, ¼) = 1.5 bits', () => {
    expect(Math.abs(plugInEntropy([2, 1, 1], 4) - 1.0397207708)).toBeLessThan(1e-10);
  });

  // Exact multinomial expectations (computed independently by enumeration; 8 quoted decimals).
  it.each([
    [[0.25, 0.25, 0.25, 0.25], 10, 1.21528243, 1.35401972],
    [[0.25, 0.25, 0.25, 0.25], 100, 1.37116507, 1.38616507],
    [[0.5, 0.25, 0.125, 0.125], 20, 1.13105843, 1.20251869],
    [[0.9, 0.1], 10, 0.26657849, 0.29914457],
  ])('p = %j, N = %i: E[Ĥ_plugin] and E[Ĥ_MM] match the exact expectations', (p, n, plugIn, millerMadow) => {
    expect(Math.abs(multinomialExpectation(p, n, (c) => plugInEntropy(c, n)) - plugIn)).toBeLessThanOrEqual(1e-8);
    expect(Math.abs(multinomialExpectation(p, n, (c) => millerMadowEntropy(c, n)) - millerMadow)).toBeLessThanOrEqual(
      1e-8,
    );
  });
});
