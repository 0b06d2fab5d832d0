import { ArgumentError, type RandomStream } from '@entroscope/core';
import { Xoshiro128, isingCheckerboardSweepFast } from '@entroscope/kernels';
import { CRITICAL_COUPLING_2D } from './ising-2d-exact';
import { WolffUpdater } from './ising-2d-wolff';
import {
  blockJackknife,
  correlatedMean,
  integratedAutocorrelationTime,
  mserTruncation,
  varianceOver,
  type MeanEstimate,
} from './monte-carlo-statistics';

/**
 * Markov-chain Monte Carlo of the 2D Ising model on an L × L torus, with thermalisation and autocorrelation
 * measured from the run itself (never assumed):
 *  1. pilot: `pilotSweeps` sweeps from a hot (K ≤ K_c) or cold (K > K_c) start, recording B = Σ_bonds s_i s_j;
 *     the MSER rule on B picks the burn-in; τ_int(B) and τ_int(|M|) are measured on the rest. The pilot is
 *     doubled (up to `maxPilotSweeps`) until the post-burn-in part is ≥ 100 τ_int long.
 *  2. production: `sweeps` sweeps recording B and |M| every sweep, and saving a configuration every `spacing`
 *     sweeps (default ⌈2 τ_int⌉ of the slower observable: nearly independent configurations).
 *  3. estimates: means of u = B/(2N) and |m| = |M|/N with standard errors sqrt(2τ Var/n) from τ measured on the
 *     production series; Var(B)/N (the Fisher information per site) by block jackknife; the effective sample size
 *     of the saved configurations from τ measured on their own B series.
 *
 * Units: sweeps (one Metropolis sweep = N proposals; one Wolff sweep = clusters until ≥ N spins flipped).
 */

/** One Markov-chain update rule ("sweep") on an L × L periodic lattice of ±1 spins. */
export interface UpdateRule {
  readonly id: string;
  /** Performs one sweep in place. */
  sweep(spins: Int8Array): void;
  /**
   * Called once on the initial configuration before any recorded sweep (e.g. to fix the Wolff cluster count
   * per sweep); may update the configuration. Its sweeps are not recorded.
   */
  prepare?(spins: Int8Array): void;
  /** Facts about the rule fixed by `prepare` (e.g. clusters per sweep), JSON-serialisable. */
  describe?(): Record<string, unknown>;
}

/** Builds an update rule for coupling K on an L × L lattice, drawing randomness from `random`. */
export type UpdateRuleFactory = (L: number, K: number, random: RandomStream) => UpdateRule;

/** Checkerboard Metropolis through the kernels package's CPU kernel (`isingCheckerboardSweepFast`). */
export const metropolisRule: UpdateRuleFactory = (L, K, random) => {
  const rng = Xoshiro128.from(random);
  return { id: 'metropolis', sweep: (spins) => void isingCheckerboardSweepFast(spins, L, K, rng) };
};

/**
 * Wolff cluster updates. One sweep = a fixed number of clusters, c = max(1, round(N / ⟨C⟩)), with the mean
 * cluster size ⟨C⟩ measured in `prepare` (after 200 unrecorded clusters of equilibration, over 200 more), so that
 * a sweep flips about N spins, as a Metropolis sweep visits N.
 */
export const wolffRule: UpdateRuleFactory = (L, K, random) => {
  const rng = Xoshiro128.from(random);
  const updater = new WolffUpdater(L, K);
  let clusters = 0;
  const prepare = (spins: Int8Array) => {
    updater.meanClusterSize(spins, rng, 200);
    clusters = Math.max(1, Math.round((L * L) / updater.meanClusterSize(spins, rng, 200)));
  };
  return {
    id: 'wolff',
    prepare,
    sweep: (spins) => {
      if (clusters === 0) prepare(spins);
      updater.sweep(spins, rng, clusters);
    },
    describe: () => ({ clustersPerSweep: clusters }),
  };
};

/** The shipped update rules by id. */
export const updateRules: Readonly<Record<'metropolis' | 'wolff', UpdateRuleFactory>> = {
  metropolis: metropolisRule,
  wolff: wolffRule,
};

/** B = Σ_bonds s_i s_j (2N bonds) and M = Σ_i s_i of an L × L periodic configuration. */
export function latticeSums(spins: Int8Array, L: number): { bonds: number; magnetisation: number } {
  let bonds = 0;
  let magnetisation = 0;
  for (let i = 0; i < L; i++) {
    const row = i * L;
    const down = (i === L - 1 ? 0 : i + 1) * L;
    for (let j = 0; j < L; j++) {
      const s = spins[row + j]!;
      const right = j === L - 1 ? spins[row]! : spins[row + j + 1]!;
      bonds += s * (right + spins[down + j]!);
      magnetisation += s;
    }
  }
  return { bonds, magnetisation };
}

export interface MonteCarloOptions {
  readonly L: number;
  readonly K: number;
  readonly rule: UpdateRuleFactory;
  /** Production sweeps (after burn-in). */
  readonly sweeps: number;
  /** Configurations to save, evenly spaced over the production (0: none). */
  readonly configurations?: number;
  /** Sweeps between saved configurations; default ⌈2 τ_int⌉ from the pilot. */
  readonly spacing?: number;
  /** Initial pilot length in sweeps (default 1000). */
  readonly pilotSweeps?: number;
  readonly maxPilotSweeps?: number;
  /** 'auto': cold start above K_c, hot below. */
  readonly start?: 'hot' | 'cold' | 'auto';
  readonly random: RandomStream;
  /** Checked between sweeps; an aborted signal throws its reason. */
  readonly signal?: AbortSignal;
  /** Called every 1024 production sweeps with the fraction of them done (for progress output). */
  readonly onProgress?: (fraction: number) => void;
}

export interface MonteCarloResult {
  readonly L: number;
  readonly K: number;
  readonly rule: string;
  /** Facts about the update rule (e.g. Wolff clusters per sweep). */
  readonly ruleSettings: Record<string, unknown>;
  /** Burn-in sweeps discarded (MSER on the pilot). */
  readonly burnIn: number;
  readonly pilotSweeps: number;
  readonly sweeps: number;
  /** u = ⟨s_i s_j⟩_nn estimate. */
  readonly energy: MeanEstimate;
  /** ⟨|m|⟩ estimate. */
  readonly absMagnetisation: MeanEstimate;
  /** ⟨m²⟩ estimate. */
  readonly magnetisationSquared: MeanEstimate;
  /** Var(B)/N (Fisher information per site) with block-jackknife standard error. */
  readonly fisher: { value: number; standardError: number };
  /** Saved configurations, row-major [count, L, L]. */
  readonly configurations: Int8Array;
  readonly configurationCount: number;
  readonly spacing: number;
  /** Effective sample size of the saved configurations (from τ_int of their B series; = count when τ = ½). */
  readonly configurationEss: number;
  /** Bond sums B per production sweep. */
  readonly bondSeries: Float64Array;
  /** |M| per production sweep. */
  readonly absMagnetisationSeries: Float64Array;
}

/** Runs the chain described in the file comment. Deterministic for a given `random` stream. */
export function runIsing2dMonteCarlo(options: MonteCarloOptions): MonteCarloResult {
  const { L, K, sweeps, random } = options;
  if (!Number.isInteger(L) || L < 2 || L % 2 !== 0)
    throw new ArgumentError('runIsing2dMonteCarlo: L', 'an even integer ≥ 2', L);
  if (!Number.isInteger(sweeps) || sweeps < 16)
    throw new ArgumentError('runIsing2dMonteCarlo: sweeps', 'an integer ≥ 16', sweeps);
  const N = L * L;
  const rule = options.rule(L, K, random.split('update'));
  const start = options.start ?? 'auto';
  const cold = start === 'cold' || (start === 'auto' && K > CRITICAL_COUPLING_2D);
  const spins = new Int8Array(N);
  if (cold) spins.fill(1);
  else {
    const init = random.split('initial');
    for (let i = 0; i < N; i++) spins[i] = init.nextUint32() & 1 ? 1 : -1;
  }
  rule.prepare?.(spins);
  const check = () => {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
  };

  // 1. Pilot: measured burn-in and τ.
  let pilotLength = options.pilotSweeps ?? 1000;
  const maxPilot = Math.max(pilotLength, options.maxPilotSweeps ?? 64_000);
  const pilotB: number[] = [];
  const pilotM: number[] = [];
  let burnIn = 0;
  let tauPilot = 0.5;
  for (;;) {
    while (pilotB.length < pilotLength) {
      check();
      rule.sweep(spins);
      const sums = latticeSums(spins, L);
      pilotB.push(sums.bonds);
      pilotM.push(Math.abs(sums.magnetisation));
    }
    burnIn = mserTruncation(pilotB);
    const rest = pilotB.length - burnIn;
    if (rest >= 16) {
      tauPilot = Math.max(
        integratedAutocorrelationTime(pilotB.slice(burnIn)).tau,
        integratedAutocorrelationTime(pilotM.slice(burnIn)).tau,
      );
      if (rest >= 100 * tauPilot) break;
    }
    if (pilotLength >= maxPilot) break;
    pilotLength = Math.min(2 * pilotLength, maxPilot);
  }

  // 2. Production.
  const count = options.configurations ?? 0;
  const spacing = options.spacing ?? Math.max(1, Math.ceil(2 * tauPilot));
  const configurations = new Int8Array(count * N);
  const total = Math.max(sweeps, count * spacing);
  const bondSeries = new Float64Array(total);
  const absSeries = new Float64Array(total);
  const m2Series = new Float64Array(total);
  const savedBonds = new Float64Array(count);
  let saved = 0;
  for (let t = 0; t < total; t++) {
    if ((t & 63) === 0) check();
    if ((t & 1023) === 0) options.onProgress?.(t / total);
    rule.sweep(spins);
    const { bonds, magnetisation } = latticeSums(spins, L);
    bondSeries[t] = bonds;
    absSeries[t] = Math.abs(magnetisation) / N;
    m2Series[t] = (magnetisation / N) ** 2;
    if (saved < count && (t + 1) % spacing === 0) {
      configurations.set(spins, saved * N);
      savedBonds[saved] = bonds;
      saved++;
    }
  }

  // 3. Estimates.
  const uSeries = bondSeries.map((b) => b / (2 * N));
  const energy = correlatedMean(uSeries);
  const blocks = Math.max(2, Math.min(50, Math.floor(total / Math.max(1, 20 * energy.tau))));
  const fisher = blockJackknife(bondSeries, blocks, (ranges) => varianceOver(bondSeries, ranges) / N);
  const configurationEss = count >= 8 ? count / (2 * integratedAutocorrelationTime(savedBonds).tau) : count;
  return {
    L,
    K,
    rule: rule.id,
    ruleSettings: rule.describe?.() ?? {},
    burnIn,
    pilotSweeps: pilotB.length,
    sweeps: total,
    energy,
    absMagnetisation: correlatedMean(absSeries),
    magnetisationSquared: correlatedMean(m2Series),
    fisher,
    configurations,
    configurationCount: count,
    spacing,
    configurationEss,
    bondSeries,
    absMagnetisationSeries: absSeries,
  };
}
