// Test support shared by the Ising kernel specs (excluded from the build by tsconfig.lib.json).

/** Exact ⟨e⟩ (energy per site, −Σ_bonds s s / N) and ⟨m²⟩ of the periodic L×L model by enumerating all 2^(L²) states. */
export function exactMoments(L: number, K: number): { e: number; m2: number } {
  const N = L * L;
  let Z = 0;
  let E = 0;
  let M2 = 0;
  for (let state = 0; state < 1 << N; state++) {
    let bonds = 0;
    let mag = 0;
    for (let i = 0; i < L; i++)
      for (let j = 0; j < L; j++) {
        const s = (state >> (i * L + j)) & 1 ? 1 : -1;
        mag += s;
        bonds +=
          s * ((state >> (((i + 1) % L) * L + j)) & 1 ? 1 : -1) + s * ((state >> (i * L + ((j + 1) % L))) & 1 ? 1 : -1);
      }
    const w = Math.exp(K * bonds);
    Z += w;
    E += (w * -bonds) / N;
    M2 += w * (mag / N) ** 2;
  }
  return { e: E / Z, m2: M2 / Z };
}

/** Energy per site −Σ_bonds s s / N of one periodic L×L configuration. */
export function energyPerSite(spins: Int8Array, L: number): number {
  let bonds = 0;
  for (let i = 0; i < L; i++)
    for (let j = 0; j < L; j++)
      bonds += spins[i * L + j]! * (spins[((i + 1) % L) * L + j]! + spins[i * L + ((j + 1) % L)]!);
  return -bonds / (L * L);
}

/** Mean and batch-means standard error of a correlated series (40 batches). */
export function batchMean(series: number[]): { mean: number; se: number } {
  const batches = 40;
  const size = Math.floor(series.length / batches);
  const means = Array.from(
    { length: batches },
    (_, b) => series.slice(b * size, (b + 1) * size).reduce((s, v) => s + v, 0) / size,
  );
  const mean = means.reduce((s, v) => s + v, 0) / batches;
  const variance = means.reduce((s, v) => s + (v - mean) ** 2, 0) / (batches - 1);
  return { mean, se: Math.sqrt(variance / batches) };
}
