import { EntroscopeError } from '@entroscope/core';
import type { ReplicaEnsemble } from './ensembles';
import type { ScalarChannel } from './channels';
import type { ScalarPrior } from './priors';

/**
 * The replica formula for the entropy of the output of a multi-layer stochastic network (Gabrié et al. 2018,
 * arXiv:1805.09785, after Reeves 2017, arXiv:1701.05823; proven for two layers by Gabrié et al. and, for
 * Gaussian weights, in Barbier & Macris's framework):
 *
 *   lim H(h_L)/n₀ = extr φ(V, A, Ṽ, Ã, ϑ),
 *   φ = Σ_{ℓ=1}^{L} (α̃_{ℓ−1}/2)[Ã_ℓ(ρ_{ℓ−1} − V_ℓ) − α_ℓ A_ℓ Ṽ_ℓ + F_{W_ℓ}(A_ℓV_ℓ, ϑ_ℓ)]
 *       − [α̃_L ψ_out(Ṽ_L; ρ̃_L) + Σ_{ℓ=1}^{L−1} α̃_ℓ ψ_ℓ(Ã_{ℓ+1}, Ṽ_ℓ; ρ̃_ℓ) + ψ₀(Ã_1)],
 *
 * with α_ℓ = n_ℓ/n_{ℓ−1}, α̃_ℓ = n_ℓ/n₀, ρ the second moments of the layers, ρ̃ those of the pre-activations, ψ₀ the
 * prior's potential (priors.ts), ψ_ℓ and ψ_out the channels' (channels.ts) and F, ϑ the ensemble's (ensembles.ts).
 * The extremum is found by the fixed-point iteration of the stationarity conditions (sweeping the layers from the
 * output down); when several fixed points exist the formula takes the one with the smallest φ, so the iteration
 * starts from several initialisations (V_ℓ small or V_ℓ = ρ_{ℓ−1} in each layer) and keeps the minimum.
 * Values are in nats per input unit n₀.
 */
export interface ReplicaModelLayer {
  readonly ensemble: ReplicaEnsemble;
  readonly channel: ScalarChannel;
  /** n_ℓ / n₀. */
  readonly widthRatio: number;
}

export interface ReplicaModel {
  readonly prior: ScalarPrior;
  readonly layers: readonly ReplicaModelLayer[];
}

export interface FixedPoint {
  readonly v: Float64Array;
  readonly a: Float64Array;
  readonly vTilde: Float64Array;
  readonly aTilde: Float64Array;
  readonly theta: Float64Array;
}

export type ReplicaMethod = 'fixed-point' | 'ml-vamp';

export interface ReplicaSolveOptions {
  /**
   * Methods tried in turn until one converges. Default: fixed point first for Gaussian i.i.d. weights; ML-VAMP first
   * when some layer is orthogonally invariant (ϑ(γ) may have several roots there).
   */
  readonly methods?: readonly ReplicaMethod[];
  /** Largest number of sweeps of the final (refining) iteration. Default 2000. */
  readonly maxIterations?: number;
  /** Convergence when Σ_ℓ |ΔV_ℓ| < tolerance. Default 1e-12. */
  readonly tolerance?: number;
  /** Damping factors tried in turn when an iteration does not converge: V ← (1 − d)·new + d·old. Default [0, 0.5, 0.8]. */
  readonly damping?: readonly number[];
}

export interface ReplicaCandidate {
  /** The initialisation, e.g. `V=(ρ, δ)`. */
  readonly initialisation: string;
  readonly phi: number;
  readonly iterations: number;
  readonly residual: number;
  readonly converged: boolean;
}

export interface ReplicaSolution {
  /** H(h_L)/n₀ in nats. */
  readonly phi: number;
  readonly fixedPoint: FixedPoint;
  /** Which iteration converged: the fixed point of the stationarity conditions or the ML-VAMP state evolution. */
  readonly method: ReplicaMethod;
  /** Sweeps of the refining run from the winning candidate. */
  readonly iterations: number;
  /** Σ_ℓ |ΔV_ℓ| at the last sweep. */
  readonly residual: number;
  readonly initialisation: string;
  readonly damping: number;
  /** Every initialisation tried (screening runs at tolerance 1e-8, ≤ 400 sweeps), with its φ. */
  readonly candidates: readonly ReplicaCandidate[];
  /** Second moments ρ_ℓ (ℓ = 0…L) and ρ̃_ℓ (ℓ = 1…L). */
  readonly secondMoments: readonly number[];
  readonly preActivationMoments: readonly number[];
}

/** The fixed-point iteration did not converge: names the layer whose V moved most and the last residual. */
export class ReplicaConvergenceError extends EntroscopeError {
  constructor(
    readonly layer: number,
    readonly residual: number,
    readonly iterations: number,
    detail: string,
  ) {
    super(
      'REPLICA_NOT_CONVERGED',
      `replica formula: the fixed-point iteration did not converge (layer ${layer} moved most; last residual Σ|ΔV| = ${residual.toExponential(3)} after ${iterations} sweeps${detail ? `; ${detail}` : ''}) — try more noise, fewer layers, or a larger maxIterations`,
      { layer, residual, iterations },
    );
  }
}

const SMALL_V = 1e-10;

interface RunResult {
  fp: FixedPoint;
  iterations: number;
  residual: number;
  converged: boolean;
  worstLayer: number;
  failure?: string;
}

export function momentsOf(model: ReplicaModel): {
  rho: number[];
  rhoTilde: number[];
  alpha: number[];
  alphaTilde: number[];
} {
  const rho = [model.prior.secondMoment];
  const rhoTilde: number[] = [];
  const alpha: number[] = [];
  const alphaTilde = [1];
  model.layers.forEach((layer, i) => {
    alpha.push(layer.ensemble.alpha);
    alphaTilde.push(layer.widthRatio);
    const rt = (layer.ensemble.meanEigenvalue * rho[i]!) / layer.ensemble.alpha;
    rhoTilde.push(rt);
    rho.push(layer.channel.secondMoment(rt));
  });
  return { rho, rhoTilde, alpha, alphaTilde };
}

function iterate(
  model: ReplicaModel,
  start: FixedPoint,
  maxIterations: number,
  tolerance: number,
  damping: number,
): RunResult {
  const L = model.layers.length;
  const { rhoTilde, alpha } = momentsOf(model);
  const v = Float64Array.from(start.v);
  const a = Float64Array.from(start.a);
  const vt = Float64Array.from(start.vTilde);
  const at = Float64Array.from(start.aTilde);
  const th = Float64Array.from(start.theta);
  let residual = Infinity;
  let worstLayer = 1;
  for (let t = 1; t <= maxIterations; t++) {
    for (let i = L - 1; i >= 0; i--) {
      const layer = model.layers[i]!;
      const frozen = v[i]! < 1e-300;
      if (!frozen) {
        const r = layer.ensemble.theta(a[i]! * v[i]!, th[i]);
        if (!r.found)
          return {
            fp: { v, a, vTilde: vt, aTilde: at, theta: th },
            iterations: t,
            residual,
            converged: false,
            worstLayer: i + 1,
            failure: `no solution ϑ of the ensemble equation in layer ${i + 1} at γ = A·V = ${(a[i]! * v[i]!).toPrecision(6)}`,
          };
        th[i] = r.theta;
        vt[i] = r.theta / a[i]!;
      } else {
        vt[i] = 0;
        th[i] = 0;
      }
      const next =
        i === L - 1
          ? layer.channel.output(vt[i]!, rhoTilde[i]!).a
          : layer.channel.inner(at[i + 1]!, vt[i]!, rhoTilde[i]!).a;
      a[i] = damping > 0 && t > 1 ? (1 - damping) * next + damping * a[i]! : next;
      if (!frozen) {
        const r = layer.ensemble.theta(a[i]! * v[i]!, th[i]);
        if (!r.found)
          return {
            fp: { v, a, vTilde: vt, aTilde: at, theta: th },
            iterations: t,
            residual,
            converged: false,
            worstLayer: i + 1,
            failure: `no solution ϑ of the ensemble equation in layer ${i + 1} at γ = A·V = ${(a[i]! * v[i]!).toPrecision(6)}`,
          };
        th[i] = r.theta;
        at[i] = (alpha[i]! * r.theta) / v[i]!;
      } else at[i] = layer.ensemble.meanEigenvalue * a[i]!;
    }
    residual = 0;
    let worst = -1;
    for (let i = L - 1; i >= 0; i--) {
      const computed =
        i === 0
          ? model.prior.evaluate(at[0]!).mmse
          : model.layers[i - 1]!.channel.inner(at[i]!, vt[i - 1]!, rhoTilde[i - 1]!).v;
      const clipped = Math.max(computed, 0);
      const next = damping > 0 ? (1 - damping) * clipped + damping * v[i]! : clipped;
      const change = Math.abs(next - v[i]!);
      residual += change;
      if (change > worst) {
        worst = change;
        worstLayer = i + 1;
      }
      v[i] = next;
    }
    if (!Number.isFinite(residual))
      return {
        fp: { v, a, vTilde: vt, aTilde: at, theta: th },
        iterations: t,
        residual,
        converged: false,
        worstLayer,
        failure: 'the order parameters diverged (NaN or ∞)',
      };
    if (residual < tolerance)
      return { fp: { v, a, vTilde: vt, aTilde: at, theta: th }, iterations: t, residual, converged: true, worstLayer };
  }
  return {
    fp: { v, a, vTilde: vt, aTilde: at, theta: th },
    iterations: maxIterations,
    residual,
    converged: false,
    worstLayer,
  };
}

/**
 * The ML-VAMP state evolution (Fletcher, Rangan & Schniter 2018; Pandit et al. 2019) as a second way to the same
 * stationary point: it never solves for ϑ (the linear step is a Stieltjes transform of the spectrum), so it is
 * robust where ϑ(γ) has several roots or none (orthogonal and wide matrices); it can produce negative variances,
 * which end the run. Its fixed point maps to ours by V = v₁ₓ, Ṽ = 1/a₂z, A = g, Ã = a₁ₓ, ϑ = 1/(1 + a₂z/a₁z).
 */
function iterateVamp(
  model: ReplicaModel,
  start: FixedPoint,
  maxIterations: number,
  tolerance: number,
  damping: number,
): RunResult {
  const L = model.layers.length;
  const { rhoTilde, alpha } = momentsOf(model);
  const v1x = Float64Array.from(start.v);
  const a1x = Float64Array.from(v1x, (v) => 1 / v);
  const a2x = new Float64Array(L);
  const a2z = new Float64Array(L);
  const z1 = new Float64Array(L).fill(1); // 1/a₁z, the variance of the message from the channel side
  const g = new Float64Array(L);
  let residual = Infinity;
  let worstLayer = 1;
  const result = (converged: boolean, t: number, failure?: string): RunResult => ({
    fp: {
      v: Float64Array.from(v1x),
      a: Float64Array.from(g),
      vTilde: Float64Array.from(a2z, (x) => 1 / x),
      aTilde: Float64Array.from(a1x),
      theta: Float64Array.from(a2z, (x, i) => 1 / (1 + x * z1[i]!)),
    },
    iterations: t,
    residual,
    converged,
    worstLayer,
    ...(failure && { failure }),
  });
  for (let t = 1; t <= maxIterations; t++) {
    const old = Float64Array.from(v1x);
    for (let i = 0; i < L; i++) {
      const e = model.layers[i]!.ensemble;
      const computed =
        i === 0
          ? model.prior.evaluate(a1x[0]!).mmse
          : model.layers[i - 1]!.channel.inner(a1x[i]!, 1 / a2z[i - 1]!, rhoTilde[i - 1]!).v;
      v1x[i] = damping > 0 && t > 1 ? (1 - damping) * computed + damping * v1x[i]! : computed;
      a2x[i] = 1 / v1x[i]! - a1x[i]!;
      if (!(a2x[i]! > 0 && v1x[i]! > 0))
        return result(false, t, `ML-VAMP: a negative or zero variance in layer ${i + 1}`);
      const v2x = z1[i]! * e.stieltjes(a2x[i]! * z1[i]!);
      const v1z = (z1[i]! * (1 - a2x[i]! * v2x)) / alpha[i]!;
      a2z[i] = 1 / v1z - 1 / z1[i]!;
      if (!(a2z[i]! > 0)) return result(false, t, `ML-VAMP: a negative variance in layer ${i + 1}`);
    }
    for (let i = L - 1; i >= 0; i--) {
      const e = model.layers[i]!.ensemble;
      const ch = model.layers[i]!.channel;
      g[i] = i === L - 1 ? ch.output(1 / a2z[i]!, rhoTilde[i]!).a : ch.inner(a1x[i + 1]!, 1 / a2z[i]!, rhoTilde[i]!).a;
      z1[i] = 1 / g[i]! - 1 / a2z[i]!;
      if (!(z1[i]! > 0)) return result(false, t, `ML-VAMP: a negative variance in layer ${i + 1}`);
      const v2x = z1[i]! * e.stieltjes(a2x[i]! * z1[i]!);
      a1x[i] = 1 / v2x - a2x[i]!;
      if (!(a1x[i]! >= 0)) return result(false, t, `ML-VAMP: a negative precision in layer ${i + 1}`);
    }
    residual = 0;
    let worst = -1;
    for (let i = 0; i < L; i++) {
      const change = Math.abs(v1x[i]! - old[i]!);
      residual += change;
      if (change > worst) [worst, worstLayer] = [change, i + 1];
    }
    if (!Number.isFinite(residual)) return result(false, t, 'the order parameters diverged (NaN or ∞)');
    if (t > 1 && residual < tolerance) return result(true, t);
  }
  return result(false, maxIterations);
}

/** φ at a point of the order parameters (H(h_L)/n₀ at a fixed point). */
export function replicaPotential(model: ReplicaModel, fp: FixedPoint): number {
  const L = model.layers.length;
  const { rho, rhoTilde, alpha, alphaTilde } = momentsOf(model);
  let first = 0;
  for (let i = 0; i < L; i++) {
    const e = model.layers[i]!.ensemble;
    const term =
      fp.aTilde[i]! * (rho[i]! - fp.v[i]!) -
      alpha[i]! * fp.a[i]! * fp.vTilde[i]! +
      e.f(fp.a[i]! * fp.v[i]!, fp.theta[i]!);
    first += 0.5 * alphaTilde[i]! * term;
  }
  let second = alphaTilde[L]! * model.layers[L - 1]!.channel.output(fp.vTilde[L - 1]!, rhoTilde[L - 1]!).potential;
  for (let i = 1; i < L; i++)
    second +=
      alphaTilde[i]! * model.layers[i - 1]!.channel.inner(fp.aTilde[i]!, fp.vTilde[i - 1]!, rhoTilde[i - 1]!).potential;
  second += model.prior.evaluate(fp.aTilde[0]!).potential;
  return first - second;
}

function initialPoints(model: ReplicaModel): Array<{ label: string; fp: FixedPoint }> {
  const L = model.layers.length;
  const { rho } = momentsOf(model);
  const upper = (i: number) => (i === 0 ? model.prior.priorVariance : rho[i]!);
  const patterns: boolean[][] = [];
  if (L <= 3) for (let m = 0; m < 1 << L; m++) patterns.push(Array.from({ length: L }, (_, i) => ((m >> i) & 1) === 1));
  else {
    patterns.push(Array(L).fill(true), Array(L).fill(false));
    for (let j = 0; j < L; j++) patterns.push(Array.from({ length: L }, (_, i) => i !== j));
  }
  return patterns.map((big) => {
    const v = Float64Array.from(big, (b, i) => (b ? Math.max(upper(i), SMALL_V) : SMALL_V));
    return {
      label: `V=(${big.map((b) => (b ? 'ρ' : 'δ')).join(', ')})`,
      fp: {
        v,
        a: Float64Array.from(v, (x) => 0.5 / x),
        vTilde: new Float64Array(L),
        aTilde: new Float64Array(L),
        theta: new Float64Array(L),
      },
    };
  });
}

/**
 * Extremises φ: screens every initialisation (tolerance 1e-8, ≤ 400 sweeps), keeps the converged candidate with the
 * smallest φ, refines it to `tolerance` (both methods). Damping factors are tried in turn until some candidate converges. Throws
 * ReplicaConvergenceError when none does.
 */
export function solveReplica(model: ReplicaModel, options: ReplicaSolveOptions = {}): ReplicaSolution {
  const maxIterations = options.maxIterations ?? 2000;
  const tolerance = options.tolerance ?? 1e-12;
  const dampings = options.damping ?? [0, 0.5, 0.8];
  const { rho, rhoTilde } = momentsOf(model);
  let last: RunResult | undefined;
  const spectral = model.layers.some((l) => l.ensemble.kind === 'spectral');
  const methods =
    options.methods ?? (spectral ? (['ml-vamp', 'fixed-point'] as const) : (['fixed-point', 'ml-vamp'] as const));
  for (const method of methods)
    for (const damping of dampings) {
      const candidates: ReplicaCandidate[] = [];
      let best: { run: RunResult; label: string; phi: number } | undefined;
      for (const init of initialPoints(model)) {
        const run =
          method === 'ml-vamp'
            ? iterateVamp(model, init.fp, Math.min(400, maxIterations), Math.max(1e-8, tolerance), damping)
            : iterate(model, init.fp, Math.min(400, maxIterations), Math.max(1e-8, tolerance), damping);
        const phi = run.converged ? replicaPotential(model, run.fp) : NaN;
        const converged = run.converged && Number.isFinite(phi);
        candidates.push({
          initialisation: init.label,
          phi,
          iterations: run.iterations,
          residual: run.residual,
          converged,
        });
        if (converged && (!best || phi < best.phi)) best = { run, label: init.label, phi };
        if (!converged) last = run;
      }
      if (!best) continue;
      // Refine the winner: the fixed point continues from its screened state; ML-VAMP (whose state is not the order
      // parameters) reruns from the winning initialisation to the final tolerance.
      const refined =
        method === 'ml-vamp'
          ? iterateVamp(
              model,
              initialPoints(model).find((p) => p.label === best.label)!.fp,
              maxIterations,
              tolerance,
              damping,
            )
          : iterate(model, best.run.fp, maxIterations, tolerance, damping);
      if (!refined.converged) {
        last = refined;
        continue;
      }
      return {
        phi: replicaPotential(model, refined.fp),
        fixedPoint: refined.fp,
        method,
        iterations: refined.iterations,
        residual: refined.residual,
        initialisation: best.label,
        damping,
        candidates,
        secondMoments: rho,
        preActivationMoments: rhoTilde,
      };
    }
  throw new ReplicaConvergenceError(
    last?.worstLayer ?? 1,
    last?.residual ?? NaN,
    last?.iterations ?? 0,
    `${last?.failure ? `${last.failure}; ` : ''}methods tried: ${methods.join(', ')}; damping tried: ${dampings.join(', ')}`,
  );
}
