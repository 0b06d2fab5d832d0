import { z } from '@entroscope/core';

/**
 * A forward (noising) diffusion dY_s = b₊(Y_s, s) ds + σ(s) dB_s on s ∈ [0, T] whose drift is the
 * equilibrium score: b₊(y, s) = (σ(s)²/2) ∇ln p_eq(y) with a time-independent p_eq = N(0, k² I). Its transition
 * kernel is Gaussian, y_s = μ(s) x + Σ(s) z with z ~ N(0, I), and Σ(s)² = k² (1 − μ(s)²), so the process relaxes
 * from the data toward p_eq as μ → 0. Premkumar, "Neural Entropy", arXiv:2409.03817 (2024), §2; processes as in the
 * authors' code (VP with β(s) = β_min + (β_max − β_min) s, and the "straight line" process of μ(s) = 1 − s).
 * Units: s is dimensionless diffusion time, lengths are in data units.
 */
export interface ForwardProcess {
  /** `vp`, `vpx` or `sl`. */
  readonly kind: ProcessKind;
  /** k²: the equilibrium variance per coordinate (p_eq = N(0, k² I)). */
  readonly equilibriumVariance: number;
  /** End time T of the process (1 for all three). */
  readonly horizon: number;
  /** Smallest and largest time at which the authors' code evaluates the process (s ~ U(sMin, sMax)). */
  readonly trainingRange: readonly [number, number];
  /** μ(s): the kernel's mean factor. */
  mean(s: number): number;
  /** Σ(s): the kernel's standard deviation per coordinate. */
  std(s: number): number;
  /** σ(s)²: the squared diffusion coefficient. */
  diffusion2(s: number): number;
  /** a(s) with b₊(y, s) = a(s) y (a = −σ²/(2k²)). */
  driftRate(s: number): number;
  /** A short description for labels and provenance. */
  describe(): string;
}

export type ProcessKind = 'vp' | 'vpx' | 'sl';

/** β_min and β_max of the variance-preserving schedule everywhere in the authors' code. */
export const DEFAULT_BETA_MIN = 0.1;
export const DEFAULT_BETA_MAX = 16;

/**
 * Variance-preserving process with p_eq = N(0, κ² I): β(s) = β_min + (β_max − β_min) s, σ = κ√β, b₊ = −β y/2,
 * μ(s) = exp(−½β_min s − ¼(β_max − β_min) s²), Σ = κ√(1 − μ²). κ = 1 is "VP", κ = 0.1 is "VPx".
 */
export class VariancePreservingProcess implements ForwardProcess {
  readonly horizon = 1;
  readonly trainingRange = [1e-5, 1] as const;
  readonly equilibriumVariance: number;
  constructor(
    readonly kind: 'vp' | 'vpx',
    readonly kappa: number,
    readonly betaMin = DEFAULT_BETA_MIN,
    readonly betaMax = DEFAULT_BETA_MAX,
  ) {
    if (!(kappa > 0)) throw new RangeError(`variance-preserving process: κ must be > 0, got ${kappa}`);
    if (!(betaMin > 0) || !(betaMax >= betaMin))
      throw new RangeError(`variance-preserving process: need 0 < β_min ≤ β_max, got ${betaMin}, ${betaMax}`);
    this.equilibriumVariance = kappa * kappa;
  }
  beta(s: number): number {
    return this.betaMin + (this.betaMax - this.betaMin) * s;
  }
  mean(s: number): number {
    return Math.exp(-0.5 * this.betaMin * s - 0.25 * (this.betaMax - this.betaMin) * s * s);
  }
  std(s: number): number {
    // 1 − μ² = −expm1(2 ln μ) keeps relative precision at small s.
    const logMu = -0.5 * this.betaMin * s - 0.25 * (this.betaMax - this.betaMin) * s * s;
    return this.kappa * Math.sqrt(-Math.expm1(2 * logMu));
  }
  diffusion2(s: number): number {
    return this.equilibriumVariance * this.beta(s);
  }
  driftRate(s: number): number {
    return -0.5 * this.beta(s);
  }
  describe(): string {
    return `${this.kind.toUpperCase()} (κ = ${this.kappa}, β ∈ [${this.betaMin}, ${this.betaMax}])`;
  }
}

/**
 * "Straight-line" process with p_eq = N(0, Σ₀² I): μ(s) = 1 − s, Σ(s) = Σ₀√(1 − (1 − s)²), σ(s) = Σ₀√(2/(1 − s)),
 * b₊ = −y/(1 − s). It reaches p_eq exactly at s = 1, where σ diverges; the authors sample s ∈ [1e-5, 1 − 1e-5].
 */
export class StraightLineProcess implements ForwardProcess {
  readonly kind = 'sl' as const;
  readonly horizon = 1;
  readonly trainingRange = [1e-5, 1 - 1e-5] as const;
  readonly equilibriumVariance: number;
  constructor(readonly sigma0: number) {
    if (!(sigma0 > 0)) throw new RangeError(`straight-line process: Σ₀ must be > 0, got ${sigma0}`);
    this.equilibriumVariance = sigma0 * sigma0;
  }
  mean(s: number): number {
    return 1 - s;
  }
  std(s: number): number {
    return this.sigma0 * Math.sqrt(s * (2 - s));
  }
  diffusion2(s: number): number {
    return (2 * this.equilibriumVariance) / (1 - s);
  }
  driftRate(s: number): number {
    return -1 / (1 - s);
  }
  describe(): string {
    return `SL (Σ₀ = ${this.sigma0})`;
  }
}

export const processSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('vp'),
        kappa: z.number().positive().default(1).describe('Equilibrium standard deviation κ (p_eq = N(0, κ² I))'),
        betaMin: z.number().positive().default(DEFAULT_BETA_MIN).describe('β_min of the linear schedule'),
        betaMax: z.number().positive().default(DEFAULT_BETA_MAX).describe('β_max of the linear schedule'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('vpx'),
        kappa: z.number().positive().default(0.1).describe('Equilibrium standard deviation κ (the authors use 0.1)'),
        betaMin: z.number().positive().default(DEFAULT_BETA_MIN).describe('β_min of the linear schedule'),
        betaMax: z.number().positive().default(DEFAULT_BETA_MAX).describe('β_max of the linear schedule'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('sl'),
        sigma0: z.number().positive().default(0.1).describe('Equilibrium standard deviation Σ₀ (the authors use 0.1)'),
      })
      .strict(),
  ])
  .describe("Forward process: 'vp' (κ = 1), 'vpx' (κ = 0.1) or 'sl' (straight line, Σ₀ = 0.1)");
export type ProcessParams = z.infer<typeof processSchema>;

/** Builds the process a study names. */
export function createProcess(params: ProcessParams): ForwardProcess {
  switch (params.kind) {
    case 'vp':
    case 'vpx':
      return new VariancePreservingProcess(params.kind, params.kappa, params.betaMin, params.betaMax);
    case 'sl':
      return new StraightLineProcess(params.sigma0);
  }
}
