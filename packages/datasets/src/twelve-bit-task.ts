/**
 * The 12-bit task of the information-plane experiments (Shwartz-Ziv & Tishby, arXiv:1703.00810): all 2¹² binary
 * patterns, each once, in MSB-first binary order (row p holds the bits of p, most significant first), with a binary
 * label that is a deterministic function of the pattern. The authors' labels (`var_u.mat`, a non-redistributable
 * file) are not shipped; the default rule here is the balanced symmetric-majority rule: y = 1 iff the pattern has at
 * least 7 ones, or exactly 6 ones and its first (most significant) bit is 1 — so p(y = 1) = ½ and I(X;Y) = H(Y) = 1 bit.
 */
export const TWELVE_BIT_PATTERNS = 4096;

/** 4096 × 12 patterns (0/1), row-major, MSB first. */
export function twelveBitPatterns(): Float32Array {
  const out = new Float32Array(TWELVE_BIT_PATTERNS * 12);
  for (let p = 0; p < TWELVE_BIT_PATTERNS; p++) for (let b = 0; b < 12; b++) out[p * 12 + b] = (p >> (11 - b)) & 1;
  return out;
}

/** The symmetric-majority label of pattern index p (its 12 bits MSB first). */
export function symmetricMajorityLabel(p: number): 0 | 1 {
  let ones = 0;
  for (let b = 0; b < 12; b++) ones += (p >> b) & 1;
  return ones >= 7 || (ones === 6 && (p >> 11) & 1) ? 1 : 0;
}

/** Labels of all 4096 patterns by `rule` (the symmetric-majority rule by default). */
export function twelveBitLabels(rule: (p: number) => number = symmetricMajorityLabel): Uint8Array {
  return Uint8Array.from({ length: TWELVE_BIT_PATTERNS }, (_, p) => rule(p));
}
