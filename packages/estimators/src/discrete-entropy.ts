/**
 * Plug-in (maximum-likelihood) entropy of a histogram, in nats: Ĥ = −Σ p̂_i ln p̂_i, p̂_i = n_i/N.
 * Biased low by about (m − 1)/(2N) for m occupied bins while N is not ≫ m (Miller 1955; Paninski, Neural
 * Comput. 15, 1191 (2003)).
 */
export function plugInEntropy(counts: ArrayLike<number>, total: number): number {
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) h -= (c / total) * Math.log(c / total);
  }
  return h;
}

/** Number of occupied bins. */
export function occupiedBins(counts: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) m++;
  return m;
}

/**
 * Miller–Madow corrected entropy: Ĥ + (m̂ − 1)/(2N), m̂ occupied bins (G. Miller, "Note on the bias of information
 * estimates", 1955). Under-corrects when many bins are unseen.
 */
export function millerMadowEntropy(counts: ArrayLike<number>, total: number): number {
  return plugInEntropy(counts, total) + (occupiedBins(counts) - 1) / (2 * total);
}

/** Entropy of discrete codes (any integers) by hashing: plug-in value, occupied bins, N. */
export function codeEntropy(
  codes: ArrayLike<number>,
  selection?: ArrayLike<number>,
): { plugIn: number; occupied: number; n: number } {
  const counts = new Map<number, number>();
  const n = selection ? selection.length : codes.length;
  for (let k = 0; k < n; k++) {
    const c = codes[selection ? selection[k]! : k]!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log(c / n);
  return { plugIn: h, occupied: counts.size, n };
}

/**
 * Joint codes of several discrete variables given as per-sample integer codes: equal tuples get equal codes.
 * Returns dense codes 0…m−1 in order of first appearance.
 */
export function jointCodes(...variables: ArrayLike<number>[]): Int32Array {
  const n = variables[0]?.length ?? 0;
  const out = new Int32Array(n);
  const table = new Map<string, number>();
  const small =
    variables.length <= 2 &&
    variables.every((v) => {
      for (let i = 0; i < v.length; i++) if (!Number.isInteger(v[i]!) || v[i]! < 0 || v[i]! >= 1 << 20) return false;
      return true;
    });
  const numeric = new Map<number, number>();
  if (variables.length === 1) {
    // One variable: its values themselves are the keys (any numbers).
    const v = variables[0]!;
    for (let i = 0; i < n; i++) {
      let c = numeric.get(v[i]!);
      if (c === undefined) numeric.set(v[i]!, (c = numeric.size));
      out[i] = c;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    if (small) {
      const key = variables.length === 1 ? variables[0]![i]! : variables[0]![i]! * 1048576 + variables[1]![i]!;
      let c = numeric.get(key);
      if (c === undefined) numeric.set(key, (c = numeric.size));
      out[i] = c;
    } else {
      const key = variables.map((v) => v[i]!).join(',');
      let c = table.get(key);
      if (c === undefined) table.set(key, (c = table.size));
      out[i] = c;
    }
  }
  return out;
}

export type DiscreteCorrection = 'none' | 'miller-madow';

/** Entropy of per-sample codes in nats, plug-in or Miller–Madow. */
export function discreteEntropy(
  codes: ArrayLike<number>,
  correction: DiscreteCorrection = 'none',
  selection?: ArrayLike<number>,
): number {
  const { plugIn, occupied, n } = codeEntropy(codes, selection);
  return correction === 'miller-madow' ? plugIn + (occupied - 1) / (2 * n) : plugIn;
}

/**
 * Plug-in mutual information Î(X;Y) = Ĥ(X) + Ĥ(Y) − Ĥ(X,Y) of per-sample codes, in nats; with Miller–Madow each
 * entropy is corrected, i.e. Î_MM = Î − (m̂_XY − m̂_X − m̂_Y + 1)/(2N). Biased high while N is not ≫ m_XY.
 */
export function discreteMutualInformation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  correction: DiscreteCorrection = 'none',
  selection?: ArrayLike<number>,
): number {
  const xy = jointCodes(x, y);
  return (
    discreteEntropy(x, correction, selection) +
    discreteEntropy(y, correction, selection) -
    discreteEntropy(xy, correction, selection)
  );
}

/** Plug-in conditional mutual information Ĥ(X,Z) + Ĥ(Y,Z) − Ĥ(Z) − Ĥ(X,Y,Z) of per-sample codes, nats. */
export function discreteConditionalMutualInformation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  z: ArrayLike<number>,
  correction: DiscreteCorrection = 'none',
  selection?: ArrayLike<number>,
): number {
  const H = (codes: ArrayLike<number>) => discreteEntropy(codes, correction, selection);
  return H(jointCodes(x, z)) + H(jointCodes(y, z)) - H(z) - H(jointCodes(x, y, z));
}
