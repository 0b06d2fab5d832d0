import { RandomStream } from '@entroscope/core';
import { erf } from './activation-cpu';
import { matmulCpu, transpose } from './matmul-cpu';

/** Independent truth: the textbook triple loop on explicitly indexed op(A), op(B) in float64. */
function naive(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
  bias?: Float32Array,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j]! : 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}

describe('matmulCpu', () => {
  const random = RandomStream.fromSeed(11);
  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [17, 1, 9],
    [8, 33, 2],
    [31, 16, 13],
  ] as const;

  it.each(shapes)('equals the naive product for %i×%i·%i×n, all transpose combinations, with bias', (m, k, n) => {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = random.fillNormal(new Float32Array(m * k));
        const b = random.fillNormal(new Float32Array(k * n));
        const bias = random.fillNormal(new Float32Array(n));
        const got = matmulCpu(a, b, m, k, n, { transposeA: ta, transposeB: tb, bias });
        const want = naive(a, b, m, k, n, ta, tb, bias);
        // Both sum in float64; the only difference is the single float32 rounding of the result.
        for (let i = 0; i < want.length; i++) expect(got[i]).toBe(Math.fround(want[i]!));
      }
    }
  });

  it('applies the fused activation after the bias', () => {
    const a = new Float32Array([0.5, -1, 2, 0.25]);
    const b = new Float32Array([1, 0, 0, 1]);
    const bias = new Float32Array([0.1, -0.2]);
    expect(Array.from(matmulCpu(a, b, 2, 2, 2, { bias, activation: 'relu' }))).toEqual(
      [0.5 + bias[0]!, 0, 2 + bias[0]!, 0.25 + bias[1]!].map(Math.fround),
    );
    expect(matmulCpu(a, b, 2, 2, 2, { activation: 'tanh' })[0]).toBe(Math.fround(Math.tanh(0.5)));
    expect(matmulCpu(a, b, 2, 2, 2, { activation: 'sigmoid' })[1]).toBe(Math.fround(1 / (1 + Math.exp(1))));
    expect(matmulCpu(a, b, 2, 2, 2, { activation: 'erf' })[2]).toBe(Math.fround(erf(2)));
  });

  it('handles empty shapes: k = 0 gives φ(bias), m = 0 or n = 0 an empty result', () => {
    expect(
      Array.from(
        matmulCpu(new Float32Array(0), new Float32Array(0), 2, 0, 2, {
          bias: new Float32Array([1, -1]),
          activation: 'relu',
        }),
      ),
    ).toEqual([1, 0, 1, 0]);
    expect(matmulCpu(new Float32Array(0), new Float32Array(12), 0, 3, 4).length).toBe(0);
    expect(matmulCpu(new Float32Array(6), new Float32Array(0), 2, 3, 0).length).toBe(0);
  });

  it('writes into out and rejects mismatched sizes with the expected shape in the message', () => {
    const out = new Float32Array(4);
    expect(matmulCpu(new Float32Array(4).fill(1), new Float32Array(4).fill(1), 2, 2, 2, { out })).toBe(out);
    expect(Array.from(out)).toEqual([2, 2, 2, 2]);
    expect(() => matmulCpu(new Float32Array(5), new Float32Array(4), 2, 2, 2)).toThrow(
      /a: expected 4 elements \(2×2\), got "5 elements"/,
    );
    expect(() => matmulCpu(new Float32Array(4), new Float32Array(4), 2, 2, 2, { bias: new Float32Array(3) })).toThrow(
      /bias/,
    );
  });

  it('transpose is an involution', () => {
    const x = random.fillNormal(new Float32Array(35 * 70));
    expect(transpose(transpose(x, 35, 70), 70, 35)).toEqual(x);
  });
});
