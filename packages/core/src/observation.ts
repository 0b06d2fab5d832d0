import type { Unit } from './units';

/**
 * A site on an axis: an RG step, a network layer, a diffusion time, a training epoch (optionally at a training
 * time: a layer of a network after a given number of epochs).
 * Probes see only sites and data kinds, so one probe can compare an RG flow with network depth.
 */
export interface Site {
  /** Axis name, e.g. `rg-step`, `layer`, `time`, `epoch`. */
  readonly axis: string;
  /** Position on the axis (0 is the start: the bare model, the input layer...). */
  readonly index: number;
  /** Human-readable label, e.g. `K=0.2169`. */
  readonly label?: string;
  /**
   * Coordinate of the site on its axis when the index is only an ordinal (the diffusion time s of the index-th
   * time of a list); reports draw x at `position` when present, else at `index`. Optional: most axes (RG step,
   * layer) are their index.
   */
  readonly position?: number;
  /**
   * When during training the observation was taken (trained systems only; absent everywhere else). A trained
   * network emits one sweep of its `layer` axis per training time, so a site is (layer, time): probes see one
   * layer sweep per time (the runner hands each time its own probe instance, see `siteTimeKey`), and reports
   * can draw per-layer curves coloured by time or per-time curves coloured by layer.
   */
  readonly time?: TrainingTime;
}

/**
 * A point in training. `axis` 'epoch': `index` full passes over the training set completed (0 = at
 * initialisation); 'step': optimiser updates completed (0 = at initialisation). Other axes may be added by
 * systems that train in other units.
 */
export interface TrainingTime {
  readonly axis: 'epoch' | 'step' | (string & {});
  /** Completed epochs or steps (an integer ≥ 0). */
  readonly index: number;
  /** Human-readable label, e.g. `epoch 15` or `step 938 (epoch 1)`. */
  readonly label?: string;
}

/**
 * Key of a site's training time: '' without one, else `<axis>:<index>`. Observations with equal keys form one
 * sweep of the site axis (one network state); the runner groups each probe's input by this key.
 */
export function siteTimeKey(site: Site): string {
  return site.time ? `${site.time.axis}:${site.time.index}` : '';
}

/**
 * Observation kind carrying scalar metrics of a run (training loss, accuracies, trainability...) in
 * `Observation.metrics` instead of samples. The runner delivers observations of this kind only to probes
 * that ask for it (`requires().kinds` containing 'metrics', e.g. the `training-metrics` probe), and never to
 * probes that do not, so systems may interleave metrics with their layer observations.
 */
export const METRICS_KIND = 'metrics';

/** One scalar metric of a run at a site (e.g. the mean training loss of epoch 3). */
export interface MetricValue {
  /** Kebab-case name, unique within the observation, e.g. `train-loss`, `test-accuracy`. */
  readonly name: string;
  readonly value: number;
  /** e.g. `nat` (cross-entropy per example), `dimensionless` (accuracy in [0, 1]). */
  readonly unit: Unit;
  /** Examples the value is averaged over (null when not an average). */
  readonly n?: number | null;
  /** One standard error, when known. */
  readonly uncertainty?: number;
  /** One line saying exactly what was computed (which loss, which data, averaged how). */
  readonly description?: string;
}

/** Kinds of data an observation can hold. Plugins may use further kinds (the type stays open). */
export type DataKind =
  'spins' | 'activations' | 'pre-activations' | 'images' | 'samples' | 'distribution' | (string & {});

export type NumericArray =
  Float64Array | Float32Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/**
 * Exact description of an exponential family p_θ(s) ∝ exp(θ·T(s)) on a lattice of N sites, in the
 * thermodynamic limit (per-site quantities) and optionally on a finite lattice.
 * With A(θ) = lim ln Z/N (nats per site) and ∇A the mean sufficient statistics per site:
 *   D(p_θ ‖ p_θ') / N = A(θ') − A(θ) − (θ' − θ)·∇A(θ),   s(θ) = A(θ) − θ·∇A(θ).
 */
export interface ExponentialFamilyExact {
  readonly type: 'exponential-family';
  /** Family identifier, e.g. `ising-1d`, `ising-2d-nearest-neighbour`. */
  readonly family: string;
  /** Names of the natural parameters, e.g. ['K', 'h']. */
  readonly parameterNames: readonly string[];
  /** Natural parameters θ of the distribution at this site. */
  readonly natural: readonly number[];
  /** A(θ): log-partition function per site, nats. */
  logPartition(theta: readonly number[]): number;
  /** ∇A(θ): mean sufficient statistics per site. */
  meanStatistics(theta: readonly number[]): number[];
  /**
   * Optional ∇²A(θ): the Fisher information matrix per site, F_ij/N = ∂²A/∂θ_i∂θ_j = Cov(T_i, T_j)/N, in closed
   * form. Families that have it should provide it: probes then use it instead of differencing `meanStatistics`
   * (which loses accuracy where A is nearly singular, e.g. at a critical point).
   */
  fisherInformation?(theta: readonly number[]): number[][];
  /** Number of states of one lattice variable (2 for Ising spins). */
  readonly statesPerSite: number;
  /** Fraction of the original lattice's sites carried at this site (2^−n after n decimations by b = 2). */
  readonly siteFraction: number;
  /**
   * True when the distribution at this site is exactly the marginal of the site-0 distribution on the
   * kept sites (1D decimation). Constructions that rely on it (B) require it.
   */
  readonly exactMarginal: boolean;
  /** Natural parameters at the end of the flow (n → ∞), when known. */
  readonly flowLimit?: readonly number[];
  /** Exact finite-lattice functions (total ln Z_N and ∇ ln Z_N on a lattice of `sites` sites). */
  readonly finite?: {
    /** Number of sites of the original (site-0) lattice. */
    readonly sites: number;
    logPartition(theta: readonly number[], sites: number): number;
    meanStatistics(theta: readonly number[], sites: number): number[];
  };
}

/** A multivariate Gaussian N(mean, covariance), covariance row-major d × d. */
export interface GaussianExact {
  readonly type: 'gaussian';
  readonly mean: Float64Array;
  readonly covariance: Float64Array;
  readonly dimension: number;
}

/** A discrete distribution over `probabilities.length` outcomes. */
export interface DiscreteExact {
  readonly type: 'discrete';
  readonly probabilities: Float64Array;
}

/**
 * Separable prior of a stochastic network's input x ∈ ℝ^{n₀} (every component independent, identically distributed):
 * `normal` N(mean, variance); `bimodal` x = ±1 with P(+1) = `pPlus`; `spike-and-slab` x = 0 with probability
 * 1 − `density`, else N(mean, variance).
 */
export type SeparablePrior =
  | { readonly kind: 'normal'; readonly mean: number; readonly variance: number }
  | { readonly kind: 'bimodal'; readonly pPlus: number }
  | { readonly kind: 'spike-and-slab'; readonly density: number; readonly mean: number; readonly variance: number };

/**
 * The law of one weight matrix W_ℓ (n_ℓ × n_{ℓ−1}) as the replica formula needs it:
 * `gaussian-iid` entries N(0, variance / n_{ℓ−1}) (so ⟨λ⟩ of WᵀW is variance · n_ℓ / n_{ℓ−1});
 * `orthogonally-invariant` W = U·diag(s)·Vᵀ with U, V Haar (or fixed random) orthogonal: only the spectrum of WᵀW
 * matters (`spectrum`: its n_{ℓ−1} eigenvalues, zeros included); `unstructured`: anything else (a trained dense
 * matrix): the replica formula does not apply and probes that need it refuse it.
 */
export type WeightEnsemble =
  | { readonly kind: 'gaussian-iid'; readonly variance: number }
  | { readonly kind: 'orthogonally-invariant'; readonly spectrum: Float64Array }
  | { readonly kind: 'unstructured' };

/**
 * One layer of a stochastic network: z_ℓ = W_ℓ h_{ℓ−1}, then a componentwise noisy channel h_ℓ ~ P_ℓ(h | z):
 * `linear` h = z + √Δ ξ; `relu` h = max(0, z) + √Δ ξ; `probit` h = sign(z + √Δ ξ); ξ ~ N(0, 1), Δ = `noiseVariance`
 * (0 = noiseless). Other channel ids may be added (the type stays open); a probe refuses channels it does not know.
 */
export interface StochasticLayer {
  /** n_{ℓ−1}. */
  readonly inputs: number;
  /** n_ℓ. */
  readonly outputs: number;
  readonly ensemble: WeightEnsemble;
  readonly channel: 'linear' | 'relu' | 'probit' | (string & {});
  readonly noiseVariance: number;
  /** The realised matrix, row-major n_ℓ × n_{ℓ−1}, when the system has one (e.g. for sample-based cross-checks). */
  readonly weights?: Float64Array;
}

/**
 * Exact generative description of a multi-layer stochastic network x → h_1 → … → h_ℓ, with `layers` the first ℓ
 * layers (ℓ = this site's layer index; h_ℓ is the observed variable). The replica formula of Gabrié et al. (2018)
 * gives H(h_ℓ) and I(x; h_ℓ) from it when every ensemble is Gaussian i.i.d. or orthogonally invariant.
 */
export interface StochasticNetworkExact {
  readonly type: 'stochastic-network';
  readonly prior: SeparablePrior;
  /** n₀. */
  readonly inputDimension: number;
  readonly layers: readonly StochasticLayer[];
}

/** Exact descriptions a system may attach so that probes can compute exact quantities. */
export type ExactDescription = ExponentialFamilyExact | GaussianExact | DiscreteExact | StochasticNetworkExact;
export type ExactDescriptionType = ExactDescription['type'];

/**
 * A named part of an observation besides its `data`: e.g. the network input or the labels beside a layer's
 * activations, or a user's exported array. `data` is row-major with `shape`, whose first axis is the same rows
 * (samples) as the observation's data, in the same order.
 */
export interface ObservationVariable {
  readonly data: NumericArray;
  readonly shape: readonly number[];
  /** What the variable is, in words (e.g. `input pixels`, `class label`). */
  readonly description?: string;
}

/**
 * What a system emits at one site. `data` holds samples row-major with `shape` (first axis = samples);
 * it may be absent when only an exact description is available.
 */
export interface Observation {
  /** Name of the system instance in the study. */
  readonly system: string;
  readonly site: Site;
  readonly kind: DataKind;
  readonly data?: NumericArray;
  readonly shape: readonly number[];
  readonly exact?: ExactDescription;
  /** Scalar metrics, on observations of kind `metrics` (METRICS_KIND); `data` is then absent and `shape` []. */
  readonly metrics?: readonly MetricValue[];
  /** Further facts about the site (couplings, correlation length...), JSON-serialisable. */
  readonly meta: Readonly<Record<string, unknown>>;
  /**
   * Named parts of the observation besides `data`, same rows (optional, additive): probes relating two parts of an
   * observation (mutual-information) select them by name, e.g. `input` and `label` beside a layer's activations.
   */
  readonly variables?: Readonly<Record<string, ObservationVariable>>;
}

/**
 * A measured value, never a bare number: what was measured, how, where, in which unit, from how much data.
 */
export interface Measurement {
  /** Probe id (descriptor id), e.g. `relative-entropy`. */
  readonly probe: string;
  /** Estimator id within the probe family, e.g. `exact`, `plug-in-blocks`. */
  readonly estimator: string;
  readonly site: Site;
  readonly value: number;
  readonly unit: Unit;
  /** One standard error, when the estimator can give it. */
  readonly uncertainty?: number;
  /** Number of samples the value is based on (null for exact values). */
  readonly n: number | null;
  /** Estimator settings and reference values (e.g. an asymptote), JSON-serialisable. */
  readonly meta: Readonly<Record<string, unknown>>;
}
