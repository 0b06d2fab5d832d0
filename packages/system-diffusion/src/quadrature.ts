/** Nodes and weights of n-point Gauss–Legendre quadrature on [−1, 1] (Newton on P_n, float64). */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n === 1) p0 = 1;
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

/**
 * Nodes and weights of n-point Gauss–Hermite quadrature for ∫ e^{−x²} f(x) dx (Newton on the orthonormal
 * Hermite recurrence, initial guesses as in Numerical Recipes' gauher).
 */
export function gaussHermite(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const pim4 = Math.pow(Math.PI, -0.25);
  let z = 0;
  for (let i = 0; i < Math.floor((n + 1) / 2); i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(n, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * nodes[0]!;
    else if (i === 3) z = 1.91 * z - 0.91 * nodes[1]!;
    else z = 2 * z - nodes[i - 2]!;
    let pp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = pim4;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const dz = p1 / pp;
      z -= dz;
      if (Math.abs(dz) < 1e-15) break;
    }
    nodes[i] = z;
    nodes[n - 1 - i] = -z;
    weights[i] = weights[n - 1 - i] = 2 / (pp * pp);
  }
  return { nodes, weights };
}

// Kronrod 15 / Gauss 7 nodes and weights (QUADPACK qk15).
const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.58608723546769113029414483825873, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [
  0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975,
  0.417959183673469387755102040816327,
];

/**
 * Adaptive Gauss–Kronrod (G7/K15) integral of f over [a, b], bisecting the interval with the largest error estimate
 * until the summed |K15 − G7| is below max(absTol, relTol·|I|). Returns the integral and the error estimate.
 */
export function integrateAdaptive(
  f: (x: number) => number,
  a: number,
  b: number,
  options: { absTol?: number; relTol?: number; maxIntervals?: number } = {},
): { value: number; error: number } {
  const { absTol = 1e-12, relTol = 1e-12, maxIntervals = 2000 } = options;
  const rule = (lo: number, hi: number) => {
    const c = 0.5 * (lo + hi);
    const h = 0.5 * (hi - lo);
    const fc = f(c);
    let k = WGK[7]! * fc;
    let g = WG[3]! * fc;
    for (let j = 0; j < 7; j++) {
      const f1 = f(c - h * XGK[j]!);
      const f2 = f(c + h * XGK[j]!);
      k += WGK[j]! * (f1 + f2);
      if (j % 2 === 1) g += WG[(j - 1) / 2]! * (f1 + f2);
    }
    return { lo, hi, value: k * h, error: Math.abs((k - g) * h) };
  };
  const intervals = [rule(a, b)];
  for (;;) {
    let value = 0;
    let error = 0;
    let worst = 0;
    for (let i = 0; i < intervals.length; i++) {
      value += intervals[i]!.value;
      error += intervals[i]!.error;
      if (intervals[i]!.error > intervals[worst]!.error) worst = i;
    }
    if (error <= Math.max(absTol, relTol * Math.abs(value)) || intervals.length >= maxIntervals)
      return { value, error };
    const w = intervals[worst]!;
    const mid = 0.5 * (w.lo + w.hi);
    intervals.splice(worst, 1, rule(w.lo, mid), rule(mid, w.hi));
  }
}

/**
 * The authors' time integral (diffusion_util.py `mc_entropy_rate`): the rate on the grid linspace(sMin, T, n),
 * cumulative trapezoid, and both the full-grid integral and the second-to-last cumulative value their code reports.
 */
export function trapezoidOnAuthorsGrid(
  rate: (s: number) => number,
  horizon: number,
  points = 100,
  sMin = 1e-5,
): { grid: Float64Array; rates: Float64Array; cumulative: Float64Array; full: number; reported: number } {
  const grid = new Float64Array(points);
  const rates = new Float64Array(points);
  for (let j = 0; j < points; j++) {
    grid[j] = sMin + ((horizon - sMin) * j) / (points - 1);
    rates[j] = rate(grid[j]!);
  }
  const cumulative = new Float64Array(points);
  for (let j = 1; j < points; j++)
    cumulative[j] = cumulative[j - 1]! + 0.5 * (grid[j]! - grid[j - 1]!) * (rates[j]! + rates[j - 1]!);
  return { grid, rates, cumulative, full: cumulative[points - 1]!, reported: cumulative[points - 2]! };
}
