import { Observable } from 'rxjs';
import {
  z,
  type ExponentialFamilyExact,
  type Observation,
  type RunContext,
  type System,
  type SystemDescriptor,
} from '@entroscope/core';
import {
  CRITICAL_COUPLING_2D,
  correlationLength2d,
  entropy2d,
  fisherInformation2d,
  freeEnergy2d,
  nearestNeighbourCorrelation2d,
  spontaneousMagnetisation2d,
} from './ising-2d-exact';
import { kaufmanLogPartition } from './ising-2d-finite';
import { couplingFlow, flowPhase, flowTrajectory, thermalExponent, type CouplingFlowId } from './ising-2d-flows';
import { decimateSquare, majorityBlockSpin, plaquettePatches } from './ising-2d-configuration-maps';
import { runIsing2dMonteCarlo, updateRules, type MonteCarloResult } from './ising-2d-monte-carlo';

const evenSide = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min)
    .max(max)
    .refine((v) => v % 2 === 0, { message: 'expected an even lattice side' });

export const ising2dParamsSchema = z
  .object({
    K: z.number().min(0).max(5).describe('Nearest-neighbour coupling K = βJ ≥ 0 (K_c = 0.4406868)'),
    steps: z.number().int().min(0).max(40).default(6).describe('RG steps: sites rg-step n = 0…steps'),
    flow: z
      .enum(['kadanoff', 'migdal-kadanoff', 'two-coupling'])
      .default('kadanoff')
      .describe(
        "Truncated recursion for the exact description at each step (docs/science/rg-ising.md §2.3): 'kadanoff' K' = ⅜ ln cosh 4K (b = √2), 'migdal-kadanoff' K' = ½ ln cosh 4K (b = 2), 'two-coupling' K' = 2K² + L, L' = K² (b = √2)",
      ),
    lattice: evenSide(2, 1 << 14)
      .optional()
      .describe(
        "Side L of a finite L × L torus: attaches Kaufman's exact finite-lattice ln Z (probe option limit: ring)",
      ),
    monteCarlo: z
      .object({
        L: evenSide(4, 4096).default(64).describe('Side of the simulated L × L torus'),
        algorithm: z
          .enum(['metropolis', 'wolff'])
          .default('wolff')
          .describe("'metropolis' (checkerboard, kernels package) or 'wolff' (cluster)"),
        sweeps: z
          .number()
          .int()
          .min(16)
          .max(10_000_000)
          .default(2000)
          .describe('Production sweeps (after the measured burn-in)'),
        configurations: z.number().int().min(1).max(100_000).default(200).describe('Configurations emitted per site'),
        spacing: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .optional()
          .describe('Sweeps between emitted configurations (default ⌈2τ_int⌉, measured)'),
        start: z
          .enum(['auto', 'hot', 'cold'])
          .default('auto')
          .describe("Initial state ('auto': cold above K_c, hot below)"),
        map: z
          .enum(['decimation', 'block-spin', 'flow'])
          .default('decimation')
          .describe(
            "What rg-step n carries: 'decimation' keeps sites (2i, 2j) n times (exact marginal samples, b = 2 per step); 'block-spin' applies majority rule (b = 2) n times; 'flow' simulates the nearest-neighbour model at the flow's K_n on the same lattice. With 'decimation' and 'block-spin' the exact description at rg-step n is the flow taken to the same b = 2ⁿ lattice (2n steps of a b = √2 flow)",
          ),
        layout: z
          .enum(['lattice', 'patches'])
          .default('lattice')
          .describe(
            "'lattice': data [count, L_n, L_n]; 'patches': rows of P × P patches in 2 × 2-plaquette order (for block-pattern estimators with blockLength 4)",
          ),
        patch: evenSide(2, 64).default(4).describe("Patch side P for layout 'patches'"),
      })
      .strict()
      .optional()
      .describe('Sample configurations by Markov-chain Monte Carlo (thermalisation and autocorrelation measured)'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const mc = p.monteCarlo;
    if (!mc) return;
    if (mc.map !== 'flow') {
      const last = mc.L / 2 ** p.steps;
      const need = mc.layout === 'patches' ? mc.patch : 2;
      if (!Number.isInteger(last) || last < need || (mc.layout === 'patches' && last % mc.patch !== 0)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps'],
          message: `expected L / 2^steps to be an integer ≥ ${need}${mc.layout === 'patches' ? ' divisible by the patch side' : ''} (each ${mc.map} step halves the lattice; L = ${mc.L})`,
        });
      }
    } else if (mc.layout === 'patches' && mc.L % mc.patch !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['monteCarlo', 'patch'],
        message: `expected a patch side dividing L = ${mc.L}`,
      });
    }
  });

export type Ising2dParams = z.infer<typeof ising2dParamsSchema>;

/** Family id of the nearest-neighbour square-lattice model: natural parameter [K], A = Onsager f, ∇A = [2u]. */
export const ISING_2D_FAMILY = 'ising-2d-nearest-neighbour';

/**
 * A and ∇A of the family, extended to K < 0 by the sublattice-flip symmetry of the bipartite square lattice
 * (f(−K) = f(K), u(−K) = −u(K)), so that finite differences around small K_n stay defined.
 */
const family = {
  logPartition: ([K]: readonly number[]) => freeEnergy2d(Math.abs(K!)),
  meanStatistics: ([K]: readonly number[]) => [2 * Math.sign(K!) * nearestNeighbourCorrelation2d(Math.abs(K!))],
  /** ∂²f/∂K² in closed form (elliptic integrals), even in K. */
  fisherInformation: ([K]: readonly number[]) => [[fisherInformation2d(Math.abs(K!))]],
};

function monteCarloSummary(r: MonteCarloResult): Record<string, unknown> {
  const est = (m: MonteCarloResult['energy']) => ({
    mean: m.mean,
    standardError: m.standardError,
    tau: m.tau,
    effectiveSampleSize: m.effectiveSampleSize,
    reliable: m.reliable,
  });
  return {
    algorithm: r.rule,
    ...r.ruleSettings,
    L: r.L,
    K: r.K,
    burnIn: r.burnIn,
    pilotSweeps: r.pilotSweeps,
    sweeps: r.sweeps,
    spacing: r.spacing,
    nearestNeighbourCorrelation: est(r.energy),
    absMagnetisation: est(r.absMagnetisation),
    magnetisationSquared: est(r.magnetisationSquared),
    fisherInformationPerSite: r.fisher,
    configurationEffectiveSampleSize: r.configurationEss,
  };
}

/**
 * The square-lattice Ising model under real-space RG (docs/science/rg-ising.md §2). Site `rg-step` n carries:
 *  - exact: the nearest-neighbour model at the flow's effective coupling K_n, as an exponential family
 *    (natural [K], A = Onsager f, ∇A = [2u], thermodynamic limit; Kaufman's finite torus when `lattice` is set).
 *    The truncated flow is not an exact marginal, so `exactMarginal` is false (construction B is refused);
 *    `siteFraction` = b^{−2k} after k flow steps. The relative-entropy probe then gives the exact 2D constructions A
 *    and C of §2.4. Without samples, or with map 'flow', rg-step n is flow step k = n. With map 'decimation' or
 *    'block-spin' each rg-step halves the sampled lattice, and the exact description is the flow taken to the same
 *    scale, k = n·ln 2/ln b (2n for the b = √2 flows, n for Migdal–Kadanoff): site and description describe the same
 *    (L/2ⁿ)² lattice (`meta.flowStep`, `meta.lengthScale` = b^k = 2^n).
 *  - samples (with `monteCarlo`): configurations of the model at K (map 'decimation' or 'block-spin', lattice
 *    L/2^n) or of the model at K_n (map 'flow', lattice L), with their effective sample size in meta.
 * Every result names the strategy (`meta.flow`), since every truncation puts K* elsewhere than K_c.
 */
export class Ising2dSystem implements System {
  constructor(
    private readonly params: Ising2dParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      try {
        this.emit(
          (o) => subscriber.next(o),
          () => subscriber.closed,
        );
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    });
  }

  private emit(next: (o: Observation) => void, closed: () => boolean): void {
    const { K, steps, lattice, monteCarlo: mc } = this.params;
    const flow = couplingFlow(this.params.flow as CouplingFlowId);
    // With a configuration map (decimation, block-spin) every rg-step rescales lengths by 2, so the exact description
    // at rg-step n is the flow taken to the same lattice: n·ln 2 / ln b flow steps (two per rg-step for b = √2).
    const flowStepsPerSite = mc && mc.map !== 'flow' ? Math.round(Math.LN2 / Math.log(flow.scaleFactor)) : 1;
    if (Math.abs(flow.scaleFactor ** flowStepsPerSite - (mc && mc.map !== 'flow' ? 2 : flow.scaleFactor)) > 1e-12) {
      throw new Error(
        `ising-2d: flow '${flow.id}' (b = ${flow.scaleFactor}) cannot be matched to the b = 2 lattice of map '${mc!.map}'`,
      );
    }
    const trajectory = flowTrajectory(flow, K, steps * flowStepsPerSite);
    const phase = flowPhase(flow, K);
    const exponent = thermalExponent(flow);
    const fixedPoint = flow.fixedPoint();
    const { signal } = this.context;
    const check = () => {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
    };
    check();

    // Samples at K (decimation / block-spin maps): one chain, mapped step by step.
    let base: MonteCarloResult | undefined;
    let current: { data: Int8Array; L: number } | undefined;
    const runChain = (coupling: number, label: string, step = 0) =>
      runIsing2dMonteCarlo({
        onProgress: (f) =>
          this.context.progress?.((step + f) / (steps + 1), `${label}: ${Math.round(100 * f)}% of the sweeps`),
        L: mc!.L,
        K: coupling,
        rule: updateRules[mc!.algorithm],
        sweeps: mc!.sweeps,
        configurations: mc!.configurations,
        ...(mc!.spacing !== undefined && { spacing: mc!.spacing }),
        start: mc!.start,
        random: this.context.random.split(label),
        signal,
      });
    if (mc && mc.map !== 'flow') {
      base = runChain(K, 'monte-carlo');
      current = { data: base.configurations, L: mc.L };
    }

    for (let n = 0; n <= steps && !closed(); n++) {
      check();
      const flowStep = n * flowStepsPerSite;
      const couplings = trajectory[flowStep]!;
      const Kn = flow.nearestNeighbour(couplings);
      const exact: ExponentialFamilyExact = {
        type: 'exponential-family',
        family: ISING_2D_FAMILY,
        parameterNames: ['K'],
        natural: [Kn],
        ...family,
        statesPerSite: 2,
        siteFraction: flow.scaleFactor ** (-2 * flowStep),
        exactMarginal: n === 0,
        ...(phase === 'disordered' && { flowLimit: [0] }),
        ...(lattice !== undefined && {
          finite: {
            sites: lattice * lattice,
            logPartition: ([k]: readonly number[], sites: number) =>
              kaufmanLogPartition(k!, Math.round(Math.sqrt(sites)), Math.round(Math.sqrt(sites))).logZ,
            meanStatistics: ([k]: readonly number[], sites: number) => [
              kaufmanLogPartition(k!, Math.round(Math.sqrt(sites)), Math.round(Math.sqrt(sites))).dLogZ,
            ],
          },
        }),
      };
      const finiteCoupling = Number.isFinite(Kn) && Kn <= 1e12;
      const meta: Record<string, unknown> = {
        K: Kn,
        couplings: Object.fromEntries(flow.parameterNames.map((name, i) => [name, couplings[i]])),
        flow: flow.id,
        projection: flow.projection,
        scaleFactor: flow.scaleFactor,
        flowStep,
        lengthScale: flow.scaleFactor ** flowStep,
        fixedPoint: fixedPoint,
        thermalEigenvalue: exponent.lambda,
        nu: exponent.nu,
        flowPhase: phase,
        criticalCoupling: CRITICAL_COUPLING_2D,
        ...(finiteCoupling && {
          freeEnergyPerSite: freeEnergy2d(Kn),
          nearestNeighbourCorrelation: nearestNeighbourCorrelation2d(Kn),
          entropyPerSite: entropy2d(Kn),
          fisherInformationPerSite: fisherInformation2d(Kn),
          spontaneousMagnetisation: spontaneousMagnetisation2d(Kn),
          correlationLength: correlationLength2d(Kn),
        }),
      };

      let data: Int8Array | undefined;
      let shape: number[] = [];
      if (mc) {
        let configurations: Int8Array;
        let side: number;
        let run: MonteCarloResult | undefined;
        if (mc.map === 'flow') {
          run = runChain(Kn, `monte-carlo:rg-step:${n}`, n);
          configurations = run.configurations;
          side = mc.L;
        } else {
          if (n > 0) {
            const mapped =
              mc.map === 'decimation'
                ? decimateSquare(current!.data, mc.configurations, current!.L)
                : majorityBlockSpin(
                    current!.data,
                    mc.configurations,
                    current!.L,
                    this.context.random.split(`block-spin:${n}`),
                  );
            current = { data: mapped, L: current!.L / 2 };
          }
          configurations = current!.data;
          side = current!.L;
          if (n === 0) run = base;
        }
        if (mc.layout === 'lattice') {
          data = configurations;
          shape = [mc.configurations, side, side];
        } else {
          const patches = plaquettePatches(configurations, mc.configurations, side, mc.patch);
          data = patches.data;
          shape = [patches.rows, patches.length];
        }
        meta['samples'] = {
          map: mc.map,
          layout: mc.layout,
          latticeSide: side,
          configurations: mc.configurations,
          // Independent units are configurations: with layout 'patches' each one gives (L_n/P)² consecutive rows.
          rowsPerUnit: mc.layout === 'patches' ? (side / mc.patch) ** 2 : 1,
          // Sites with the same unitSource are maps of the same configurations (paired, not independent samples).
          unitSource:
            mc.map === 'flow' ? `${this.context.name}:monte-carlo:rg-step:${n}` : `${this.context.name}:monte-carlo`,
          // Effective number of configurations n/(2τ_int), τ_int measured on their bond-sum series (the chain's
          // configurations are correlated when their spacing is not ≫ τ_int); error bars scale by √(n/n_eff).
          effectiveSampleSize: (run ?? base)!.configurationEss,
          sampledCoupling: mc.map === 'flow' ? Kn : K,
        };
        if (run) meta['monteCarlo'] = monteCarloSummary(run);
      }
      next({
        system: this.context.name,
        site: { axis: 'rg-step', index: n, label: `K=${Kn.toPrecision(6)}` },
        kind: 'spins',
        ...(data && { data }),
        shape,
        exact,
        meta,
      });
      this.context.progress?.((n + 1) / (steps + 1), `rg-step ${n}`);
    }
  }
}

export const ising2dDescriptor: SystemDescriptor<Ising2dParams> = {
  id: 'ising-2d',
  version: '1.0.0',
  summary:
    '2D square-lattice Ising model under real-space RG: exact Onsager description along a truncated flow, Monte Carlo samples (Metropolis/Wolff) decimated or block-spun',
  display: {
    name: '2D Ising model',
    parameters: {
      K: { name: 'coupling', symbol: 'K' },
      steps: { name: 'RG steps' },
      flow: { name: 'flow' },
      lattice: { name: 'lattice side', symbol: 'L' },
      'monteCarlo.L': { name: 'Monte Carlo side', symbol: 'L' },
      'monteCarlo.algorithm': { name: 'algorithm' },
      'monteCarlo.map': { name: 'map' },
    },
    axes: { 'rg-step': { name: 'RG step', symbol: 'n' } },
    values: {
      kadanoff: 'Kadanoff',
      'migdal-kadanoff': 'Migdal–Kadanoff',
      'two-coupling': 'two-coupling',
      wolff: 'Wolff',
      metropolis: 'Metropolis',
    },
  },
  citation:
    'Onsager 1944; Kaufman 1949; Wolff 1989; Erdmenger, Grosvenor, Jefferson, arXiv:2107.06898; docs/science/rg-ising.md §2',
  paramsSchema: ising2dParamsSchema,
  provides: (params) => ({
    axes: ['rg-step'],
    kinds: params.monteCarlo ? ['spins'] : [],
    exact: ['exponential-family'],
  }),
  create: (params, context) => new Ising2dSystem(params, context),
  // Monte Carlo configurations are stored as one byte per spin; the coarse-grained copies of every RG step and a
  // patch layout add at most as much again.
  estimate: (params) =>
    params.monteCarlo
      ? {
          bytes: 2 * params.monteCarlo.configurations * params.monteCarlo.L ** 2,
          what: `${params.monteCarlo.configurations} configurations of ${params.monteCarlo.L} × ${params.monteCarlo.L} spins, one byte each, plus their coarse-grained copies`,
        }
      : {},
};
