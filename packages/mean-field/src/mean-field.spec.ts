import { erf, erfc } from './erf';
import { bivariateGaussianExpectation, gaussianExpectation } from './gaussian-quadrature';
import { MeanField, criticalLine } from './mean-field';
import { erfMeanField, quadratureMoments, reluMeanField, tanhMeanField } from './mean-field-activation';

// Reference tables: docs/science/random-mlp-mean-field.md §3. The values carry 10 decimals, so the
// tolerance is 1e-10 absolute (±1 in the last quoted digit); ξ values carry fewer digits and get ±1 in theirs.
const criticalTable: [number, number, number][] = [
  [2e-5, 1.049911632, 0.0258735383],
  [0.01, 1.4242052905, 0.2733009135],
  [0.02, 1.5441928403, 0.3712403235],
  [0.03, 1.6306417317, 0.4471800549],
  [0.05, 1.7609546396, 0.5700478816],
  [0.1, 1.9860726411, 0.8057991819],
  [0.2, 2.2851524737, 1.1644962875],
  [0.3, 2.5051271897, 1.4611694469],
  [1.0, 3.4432109123, 3.0363963946],
];

// σ_w², q*, χ₁, c*, ξ_c (digits as quoted), ξ_q (4 decimals)
const fixedPointTable: [number, number, number, number, string, number][] = [
  [0.5, 0.0875798652, 0.4319873818, 1, '1.19139', 1.0089],
  [1.0, 0.1935925202, 0.7590316472, 1, '3.6270', 1.7476],
  [1.2, 0.2699020097, 0.8451664278, 1, '5.9445', 1.8088],
  [1.4, 0.364884273, 0.9110326774, 1, '10.7323', 1.74],
  [1.5, 0.4180372005, 0.9386362682, 1, '15.79099', 1.6828],
  [1.6, 0.4742516504, 0.9636865002, 1, '27.0349', 1.6208],
  [1.7, 0.5330756279, 0.986740809, 1, '74.918', 1.5583],
  [1.8, 0.594132172, 1.0082231444, 0.9504105464, '125.784', 1.4979],
  [2.0, 0.7217618727, 1.0476659996, 0.7440824195, '25.2134', 1.388],
  [2.5, 1.0639583774, 1.1335156987, 0.4468042323, '11.79560', 1.1799],
  [3.0, 1.4280084622, 1.2089344241, 0.2993176418, '9.0515', 1.0415],
];

/** Independent check: adaptive Simpson with breakpoints at multiples of 1/√q on [−12, 12] (science file §3.1). */
function adaptiveGaussian(f: (u: number) => number, q: number): number {
  const density = (z: number) => (Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)) * f(Math.sqrt(q) * z);
  const simpson = (a: number, b: number, fa: number, fm: number, fb: number) => ((b - a) / 6) * (fa + 4 * fm + fb);
  const recurse = (
    a: number,
    b: number,
    fa: number,
    fm: number,
    fb: number,
    whole: number,
    tol: number,
    depth: number,
  ): number => {
    const m = (a + b) / 2;
    const lm = (a + m) / 2;
    const rm = (m + b) / 2;
    const flm = density(lm);
    const frm = density(rm);
    const left = simpson(a, m, fa, flm, fm);
    const right = simpson(m, b, fm, frm, fb);
    if (depth > 40 || Math.abs(left + right - whole) < 15 * tol) return left + right + (left + right - whole) / 15;
    return recurse(a, m, fa, flm, fm, left, tol / 2, depth + 1) + recurse(m, b, fm, frm, fb, right, tol / 2, depth + 1);
  };
  const step = Math.min(1, 1 / Math.sqrt(q));
  let sum = 0;
  for (let a = -12; a < 12 - 1e-12; a += step) {
    const b = Math.min(12, a + step);
    const fa = density(a);
    const fb = density(b);
    const fm = density((a + b) / 2);
    sum += recurse(a, b, fa, fm, fb, simpson(a, b, fa, fm, fb), 1e-15, 0);
  }
  return sum;
}

describe('erf (double precision)', () => {
  it('matches published values to 1e-15', () => {
    expect(erf(0)).toBe(0);
    expect(Math.abs(erf(0.5) - 0.5204998778130465)).toBeLessThan(1e-15);
    expect(Math.abs(erf(1) - 0.8427007929497149)).toBeLessThan(1e-15);
    expect(Math.abs(erf(-2) + 0.9953222650189527)).toBeLessThan(1e-15);
    expect(Math.abs(erf(2.9999999) - erf(3.0000001))).toBeLessThan(1e-10);
    expect(Math.abs(erfc(3) / 2.209049699858544e-5 - 1)).toBeLessThan(1e-13);
    expect(Math.abs(erfc(5) / 1.5374597944280349e-12 - 1)).toBeLessThan(1e-13);
  });
});

describe('Gaussian quadrature', () => {
  it('agrees with an adaptive quadrature to 1e-13 for tanh moments at q = 0.1 … 4', () => {
    for (const q of [0.1, 0.57, 1.4, 4]) {
      expect(
        Math.abs(gaussianExpectation((u) => Math.tanh(u) ** 2, q) - adaptiveGaussian((u) => Math.tanh(u) ** 2, q)),
      ).toBeLessThan(1e-13);
      const d = (u: number) => (1 - Math.tanh(u) ** 2) ** 2;
      expect(Math.abs(gaussianExpectation(d, q) - adaptiveGaussian(d, q))).toBeLessThan(1e-13);
    }
  });

  it('reproduces the erf closed forms (1D and 2D) to 1e-13 — the quadrature code path behind tanh', () => {
    const quad = quadratureMoments(erfMeanField.phi, erfMeanField.derivative, erfMeanField.secondDerivative);
    for (const q of [0.05, 0.7, 3, 20]) {
      expect(Math.abs(quad.secondMoment(q) - erfMeanField.secondMoment(q))).toBeLessThan(1e-13);
      expect(Math.abs(quad.secondMomentSlope(q) - erfMeanField.secondMomentSlope(q))).toBeLessThan(1e-13);
    }
    // 2D (tensor grid, 381² points; the double-precision erf is slow, so two cases).
    for (const q of [0.7, 3]) {
      for (const c of [-0.6, 0.95]) {
        const q2 = q * 1.3;
        const q12 = c * Math.sqrt(q * q2);
        expect(Math.abs(quad.crossMoment(q, q2, q12) - erfMeanField.crossMoment(q, q2, q12))).toBeLessThan(1e-13);
        expect(
          Math.abs(quad.derivativeCrossMoment(q, q2, q12) - erfMeanField.derivativeCrossMoment(q, q2, q12)),
        ).toBeLessThan(1e-13);
      }
    }
  });

  it('matches the ReLU arc-cosine closed forms to O(h²) (kinked integrand: 1e-3)', () => {
    const quad = quadratureMoments(reluMeanField.phi, reluMeanField.derivative, reluMeanField.secondDerivative);
    expect(Math.abs(quad.secondMoment(0.8) - 0.4)).toBeLessThan(1e-12); // even analytic on each half: exact
    const v = bivariateGaussianExpectation(reluMeanField.phi, reluMeanField.phi, 1, 1, 0.5);
    expect(Math.abs(v - reluMeanField.crossMoment(1, 1, 0.5))).toBeLessThan(1e-3);
  });
});

describe('MeanField (tanh) against the reference tables, σ_b² = 0.05', () => {
  it.each(fixedPointTable)(
    'σ_w² = %p: q*, χ₁, c* to 1e-10; ξ_c, ξ_q to the quoted digits',
    (w, qStar, chi1, cStar, xiC, xiQ) => {
      const mf = new MeanField('tanh', w, 0.05);
      expect(Math.abs(mf.qStar() - qStar)).toBeLessThan(1e-10);
      expect(Math.abs(mf.chi1() - chi1)).toBeLessThan(1e-10);
      expect(Math.abs(mf.cStar() - cStar)).toBeLessThan(1e-10);
      const decimals = xiC.split('.')[1]!.length;
      const x = mf.xiC();
      expect(x.divergent).toBe(false);
      expect(Math.abs(x.value - Number(xiC))).toBeLessThanOrEqual(1.01 * 10 ** -decimals);
      expect(Math.abs(mf.xiQ() - xiQ)).toBeLessThanOrEqual(1.01e-4);
      expect(mf.summary().phase).toBe(chi1 < 1 ? 'ordered' : 'chaotic');
    },
  );

  it('ξ_q is the inverse log-slope of the q-map at q* (finite-difference check)', () => {
    const mf = new MeanField('tanh', 2.0, 0.05);
    const q = mf.qStar();
    const h = 1e-5;
    const slope = (mf.qMap(q + h) - mf.qMap(q - h)) / (2 * h);
    expect(Math.abs(-1 / Math.log(slope) - mf.xiQ())).toBeLessThan(1e-7);
  });

  it('the c-map fixes c = 1 (it is the q-map at c = 1) and maps c = 0 to σ_b²/q* for odd φ', () => {
    const mf = new MeanField('tanh', 2.5, 0.05);
    expect(Math.abs(mf.cMap(1) - 1)).toBeLessThan(1e-13);
    expect(Math.abs(mf.cMap(0) - 0.05 / mf.qStar())).toBeLessThan(1e-15);
  });
});

describe('critical line σ_w²_c(σ_b²) (tanh)', () => {
  it.each(criticalTable)('σ_b² = %p: σ_w²_c and q* to 1e-10', (b, w, q) => {
    const line = criticalLine('tanh', b);
    expect(Math.abs(line.sigmaW2 - w)).toBeLessThan(1e-10);
    expect(Math.abs(line.qStar - q)).toBeLessThan(1e-10);
  });
  it('is σ_w² = 1, q* = 0 at σ_b² = 0; χ₁ = 1 on the line', () => {
    expect(criticalLine('tanh', 0)).toEqual({ sigmaW2: 1, qStar: 0 });
    const { sigmaW2 } = criticalLine('tanh', 0.05);
    expect(Math.abs(new MeanField('tanh', sigmaW2, 0.05).chi1() - 1)).toBeLessThan(1e-12);
    expect(new MeanField('tanh', sigmaW2 + 1e-6, 0.05).chi1()).toBeGreaterThan(1);
  });
  it('near-critical ξ_c is reported divergent, never as a negative number', () => {
    const { sigmaW2 } = criticalLine('tanh', 0.05);
    const x = new MeanField('tanh', sigmaW2, 0.05).xiC();
    expect(x.value === Infinity || x.value > 1e4).toBe(true);
  });
});

describe('other activations', () => {
  it('erf: critical point σ_w² = π/4 at σ_b² = 0; χ₁ closed form', () => {
    expect(Math.abs(criticalLine('erf', 0).sigmaW2 - Math.PI / 4)).toBeLessThan(1e-15);
    const mf = new MeanField('erf', 1.5, 0.1);
    const q = mf.qStar();
    expect(Math.abs(mf.qMap(q) - q)).toBeLessThan(1e-14);
    expect(Math.abs(mf.chi1() - (1.5 * 4) / Math.PI / Math.sqrt(1 + 4 * q))).toBeLessThan(1e-14);
  });
  it('relu: q* = σ_b²/(1 − σ_w²/2) and χ₁ = σ_w²/2; no fixed point for σ_w² ≥ 2', () => {
    const mf = new MeanField('relu', 1.5, 0.1);
    expect(Math.abs(mf.qStar() - 0.1 / (1 - 0.75))).toBeLessThan(1e-13);
    expect(mf.chi1()).toBeCloseTo(0.75, 14);
    expect(new MeanField('relu', 2.2, 0.1).qStar()).toBe(Infinity);
  });
  it('tanh uses the quadrature moments', () => {
    expect(tanhMeanField.secondMoment(0)).toBe(0);
  });
});

describe('relative-entropy mean-field reading (science §2.1)', () => {
  it('(N/2) ln(q^m/q^0) at σ_w² = 2, ⟨x²⟩ = 0.112, N = 784 gives 167.8, 267.7, 322.7, 351.3, 365.7, 372.8 and plateau 379.7', () => {
    const mf = new MeanField('tanh', 2.0, 0.05);
    const q = mf.lengthTrajectory(mf.firstLayerVariance(0.112), 7);
    const expected = [167.8, 267.7, 322.7, 351.3, 365.7, 372.8];
    expected.forEach((e, i) => expect(Math.abs(392 * Math.log(q[i + 1]! / q[0]!) - e)).toBeLessThanOrEqual(0.051));
    expect(Math.abs(392 * Math.log(mf.qStar() / q[0]!) - 379.7)).toBeLessThanOrEqual(0.051);
  });
  it('plateaus at other σ_w²: 69.8 (1.0), 255.2 (1.5), 458.9 (2.5), 512.8 (3.0); q* smooth through σ_w²_c', () => {
    for (const [w, e] of [
      [1.0, 69.8],
      [1.5, 255.2],
      [2.5, 458.9],
      [3.0, 512.8],
    ] as const) {
      const mf = new MeanField('tanh', w, 0.05);
      expect(Math.abs(392 * Math.log(mf.qStar() / mf.firstLayerVariance(0.112)) - e)).toBeLessThanOrEqual(0.051);
    }
    for (const [w, e] of [
      [1.7, 0.53308],
      [1.76, 0.56946],
      [1.82, 0.60658],
    ] as const)
      expect(Math.abs(new MeanField('tanh', w, 0.05).qStar() - e)).toBeLessThanOrEqual(5.1e-6);
  });
  it('true-KL plateau per neuron ½[q⁰/q* − 1 − ln(q⁰/q*)] at ⟨x²⟩ = 0.112008', () => {
    const table: [number, number][] = [
      [1.0, 0.00748],
      [1.5, 0.086267],
      [1.76, 0.13437],
      [2.0, 0.174079],
      [3.0, 0.28923],
    ];
    for (const [w, e] of table) {
      const mf = new MeanField('tanh', w, 0.05);
      const r = mf.firstLayerVariance(0.112008) / mf.qStar();
      expect(Math.abs(0.5 * (r - 1 - Math.log(r)) - e)).toBeLessThanOrEqual(1.01e-6);
    }
  });
});
