import { ArgumentError } from '@entroscope/core';
import { logCosh } from './log-cosh';

/**
 * Real-space RG for the square-lattice Ising model (docs/science/rg-ising.md §2.2–2.3).
 *
 * Exact checkerboard decimation is not closed: summing out one sublattice of the nearest-neighbour model at K
 * gives, exactly, nearest (K1), next-nearest (K2) and plaquette (K4) couplings on the kept (45°-rotated, b = √2)
 * lattice. Every practical flow truncates; the truncation is a `CouplingFlow` strategy, named in every result.
 */

/** Couplings produced by summing out one sublattice of the nearest-neighbour model at K (exact, docs/science/rg-ising.md §2.2). */
export interface CheckerboardCouplings {
  /** Nearest-neighbour coupling on the kept lattice (¼ ln cosh 4K: two halves per new bond). */
  readonly K1: number;
  /** Next-nearest-neighbour coupling (⅛ ln cosh 4K). */
  readonly K2: number;
  /** Four-spin plaquette coupling (⅛ ln cosh 4K − ½ ln cosh 2K). */
  readonly K4: number;
  /** Constant per decimated spin (ln 2 + ⅛ ln cosh 4K + ½ ln cosh 2K). */
  readonly g: number;
}

/** The exact one-step checkerboard decimation couplings of the nearest-neighbour model at K. */
export function checkerboardDecimation(K: number): CheckerboardCouplings {
  const l4 = logCosh(4 * K);
  const l2 = logCosh(2 * K);
  return { K1: 0.25 * l4, K2: 0.125 * l4, K4: 0.125 * l4 - 0.5 * l2, g: Math.LN2 + 0.125 * l4 + 0.5 * l2 };
}

/**
 * The local identity behind checkerboard decimation: for a decimated spin with neighbours s1…s4 (cyclic order),
 * ln 2cosh(K(s1+s2+s3+s4)) = g + (K1/2)(s1s2+s2s3+s3s4+s4s1) + K2(s1s3+s2s4) + K4 s1s2s3s4.
 * Returns both sides (for tests and documentation).
 */
export function checkerboardLocalIdentity(
  K: number,
  s: readonly [number, number, number, number],
): { exact: number; expanded: number } {
  const [s1, s2, s3, s4] = s;
  const { K1, K2, K4, g } = checkerboardDecimation(K);
  return {
    exact: logCosh(K * (s1 + s2 + s3 + s4)) + Math.LN2,
    expanded:
      g + (K1 / 2) * (s1 * s2 + s2 * s3 + s3 * s4 + s4 * s1) + K2 * (s1 * s3 + s2 * s4) + K4 * s1 * s2 * s3 * s4,
  };
}

/** Identifiers of the shipped truncated recursions. */
export type CouplingFlowId = 'kadanoff' | 'migdal-kadanoff' | 'two-coupling';

/**
 * A truncated RG recursion: a map on a coupling vector, with its non-trivial fixed point and linearisation.
 * `nearestNeighbour` projects a coupling vector onto the nearest-neighbour model (the family whose exact
 * Onsager description is attached to each RG site); for one-coupling maps it is the identity.
 */
export interface CouplingFlow {
  readonly id: CouplingFlowId;
  readonly summary: string;
  /** Length rescaling per step b (√2 for checkerboard decimation, 2 for Migdal–Kadanoff). */
  readonly scaleFactor: number;
  /** Names of the couplings, e.g. ['K'] or ['K', 'L']. */
  readonly parameterNames: readonly string[];
  /** Coupling vector of the bare nearest-neighbour model at K. */
  initial(K: number): number[];
  /** One RG step. */
  step(couplings: readonly number[]): number[];
  /** Jacobian ∂step_i/∂c_j at `couplings` (row-major nested arrays). */
  jacobian(couplings: readonly number[]): number[][];
  /** The non-trivial (critical) fixed point. */
  fixedPoint(): number[];
  /** Effective nearest-neighbour coupling of a coupling vector (the projection used for exact descriptions). */
  nearestNeighbour(couplings: readonly number[]): number;
  /** How `nearestNeighbour` projects, in words (recorded with results). */
  readonly projection: string;
}

/** Solves K = map(K) for the non-trivial root by Newton's method from `start`. */
function oneCouplingFixedPoint(map: (K: number) => number, derivative: (K: number) => number, start: number): number {
  let K = start;
  for (let i = 0; i < 100; i++) {
    const next = K - (map(K) - K) / (derivative(K) - 1);
    if (Math.abs(next - K) < 1e-16) return next;
    K = next;
  }
  return K;
}

function oneCouplingFlow(id: CouplingFlowId, summary: string, scaleFactor: number, factor: number): CouplingFlow {
  // K' = factor · ln cosh 4K; dK'/dK = 4 · factor · tanh 4K.
  const map = (K: number) => factor * logCosh(4 * K);
  const derivative = (K: number) => 4 * factor * Math.tanh(4 * K);
  let fixed: number | undefined;
  return {
    id,
    summary,
    scaleFactor,
    parameterNames: ['K'],
    projection: 'identity (one-coupling map)',
    initial: (K) => [K],
    step: ([K]) => [map(K!)],
    jacobian: ([K]) => [[derivative(K!)]],
    fixedPoint: () => [(fixed ??= oneCouplingFixedPoint(map, derivative, 0.5))],
    nearestNeighbour: ([K]) => K!,
  };
}

/** (i) Kadanoff / Chandler: next-nearest coupling folded into the nearest, K' = K1 + K2 = ⅜ ln cosh 4K, b = √2. */
export const kadanoffFlow: CouplingFlow = oneCouplingFlow(
  'kadanoff',
  "Checkerboard decimation with the next-nearest coupling folded into the nearest: K' = ⅜ ln cosh 4K (b = √2)",
  Math.SQRT2,
  0.375,
);

/** (ii) Migdal–Kadanoff bond moving, b = 2: K' = ½ ln cosh 4K. */
export const migdalKadanoffFlow: CouplingFlow = oneCouplingFlow(
  'migdal-kadanoff',
  "Migdal–Kadanoff bond moving, b = 2: K' = ½ ln cosh 4K",
  2,
  0.5,
);

/**
 * (iii) Two-coupling recursion (lowest order of Maris & Kadanoff 1978): K' = 2K² + L, L' = K², b = √2, with L the
 * next-nearest coupling. Fixed point (1/3, 1/9). The nearest-neighbour projection folds L into K (K_eff = K + L),
 * the same folding that defines (i).
 */
export const twoCouplingFlow: CouplingFlow = {
  id: 'two-coupling',
  summary: "Two couplings (nearest K, next-nearest L), lowest order: K' = 2K² + L, L' = K² (b = √2)",
  scaleFactor: Math.SQRT2,
  parameterNames: ['K', 'L'],
  projection: 'K_eff = K + L (next-nearest coupling folded into the nearest)',
  initial: (K) => [K, 0],
  step: ([K, L]) => [2 * K! * K! + L!, K! * K!],
  jacobian: ([K]) => [
    [4 * K!, 1],
    [2 * K!, 0],
  ],
  fixedPoint: () => [1 / 3, 1 / 9],
  nearestNeighbour: ([K, L]) => K! + L!,
};

/** The shipped strategies by id. */
export const couplingFlows: Readonly<Record<CouplingFlowId, CouplingFlow>> = {
  kadanoff: kadanoffFlow,
  'migdal-kadanoff': migdalKadanoffFlow,
  'two-coupling': twoCouplingFlow,
};

/** Looks a strategy up by id (the error lists the known ids). */
export function couplingFlow(id: string): CouplingFlow {
  const flow = (couplingFlows as Record<string, CouplingFlow>)[id];
  if (!flow) throw new ArgumentError('couplingFlow', `one of ${Object.keys(couplingFlows).join(', ')}`, id);
  return flow;
}

/** Coupling vectors c_0 = initial(K), c_1 … c_steps along a flow. */
export function flowTrajectory(flow: CouplingFlow, K: number, steps: number): number[][] {
  const out = [flow.initial(K)];
  for (let n = 0; n < steps; n++) out.push(flow.step(out[n]!));
  return out;
}

/** Eigenvalues of the linearisation at the fixed point, largest first (real for the shipped maps). */
export function linearisedEigenvalues(flow: CouplingFlow): number[] {
  const J = flow.jacobian(flow.fixedPoint());
  if (J.length === 1) return [J[0]![0]!];
  if (J.length === 2) {
    const [[a, b], [c, d]] = J as [[number, number], [number, number]];
    const trace = a + d;
    const det = a * d - b * c;
    const disc = Math.sqrt(trace * trace - 4 * det);
    return [(trace + disc) / 2, (trace - disc) / 2];
  }
  throw new ArgumentError('linearisedEigenvalues', 'a flow with one or two couplings', J.length);
}

/** Thermal eigenvalue λ (largest) and correlation-length exponent ν = ln b / ln λ of a truncated flow. */
export function thermalExponent(flow: CouplingFlow): { lambda: number; nu: number } {
  const lambda = linearisedEigenvalues(flow)[0]!;
  return { lambda, nu: Math.log(flow.scaleFactor) / Math.log(lambda) };
}

/**
 * Which side of the flow's critical surface a bare coupling lies on: 'disordered' if the effective nearest
 * coupling flows to 0, 'ordered' if it flows to ∞ (decided after up to `maxSteps` steps), 'critical' if neither.
 */
export function flowPhase(flow: CouplingFlow, K: number, maxSteps = 200): 'disordered' | 'ordered' | 'critical' {
  let c = flow.initial(K);
  const star = flow.nearestNeighbour(flow.fixedPoint());
  for (let n = 0; n < maxSteps; n++) {
    const k = flow.nearestNeighbour(c);
    if (k < 1e-3 * star) return 'disordered';
    if (k > 10 * star) return 'ordered';
    c = flow.step(c);
  }
  return 'critical';
}
