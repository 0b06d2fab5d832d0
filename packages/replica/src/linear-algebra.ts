/**
 * Small dense helpers for checking the formula on realised matrices (row-major Float64Array): products, the
 * log-determinant of a symmetric positive-definite matrix by Cholesky, and the eigenvalues of a symmetric matrix by
 * cyclic Jacobi rotations (O(n³) per sweep; meant for n ≲ 500, e.g. the spectrum of WᵀW in tests).
 */
export function multiply(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j]! += aip * b[p * m + j]!;
    }
  return c;
}

export function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j]!;
  return t;
}

/** ln det S for S (n × n) symmetric positive definite; throws when a pivot is ≤ 0. */
export function logDeterminant(s: Float64Array, n: number): number {
  const l = Float64Array.from(s);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    let d = l[j * n + j]!;
    for (let p = 0; p < j; p++) d -= l[j * n + p]! * l[j * n + p]!;
    if (!(d > 0)) throw new Error(`logDeterminant: matrix not positive definite (pivot ${j} = ${d})`);
    const r = Math.sqrt(d);
    l[j * n + j] = r;
    sum += Math.log(r);
    for (let i = j + 1; i < n; i++) {
      let x = l[i * n + j]!;
      for (let p = 0; p < j; p++) x -= l[i * n + p]! * l[j * n + p]!;
      l[i * n + j] = x / r;
    }
  }
  return 2 * sum;
}

/** Eigenvalues (ascending) of a symmetric n × n matrix. */
export function symmetricEigenvalues(s: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(s);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! * a[i * n + i]!;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! * a[i * n + j]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        const tau = (aqq - app) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
      }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i * n + i]!;
  return out.sort();
}

/**
 * I(x; h_L)/n₀ in nats for a linear chain h_ℓ = W_ℓ h_{ℓ−1} + √Δ_ℓ ξ_ℓ with square n × n matrices and x ~ N(0, 1)ⁿ,
 * exactly for the given matrices: h_L is Gaussian, so I = ½[ln det Σ_L − ln det C_L] with
 * Σ_ℓ = W_ℓ Σ_{ℓ−1} W_ℓᵀ + Δ_ℓ (Σ₀ = 1) and C_ℓ the same with C₀ = 0 (the covariance given x).
 */
export function linearChainInformation(weights: readonly Float64Array[], deltas: readonly number[], n: number): number {
  let total: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) total[i * n + i] = 1;
  let given: Float64Array = new Float64Array(n * n);
  weights.forEach((w, l) => {
    const wt = transpose(w, n, n);
    total = multiply(multiply(w, total, n, n, n), wt, n, n, n);
    given = multiply(multiply(w, given, n, n, n), wt, n, n, n);
    for (let i = 0; i < n; i++) {
      total[i * n + i]! += deltas[l]!;
      given[i * n + i]! += deltas[l]!;
    }
  });
  return (0.5 * (logDeterminant(total, n) - logDeterminant(given, n))) / n;
}
