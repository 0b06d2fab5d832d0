import type { z } from 'zod';
import type { RunContext } from './run-context';

/**
 * How a parameter is written in figures and legends: a math symbol (`K`, `σ_w²`; legends read `K = 0.5`), words
 * (`construction`; legends read `construction A`), or both (axes read `coupling K`, legends `K = 0.5`).
 */
export interface ParameterDisplay {
  readonly symbol?: string;
  readonly name?: string;
}

/**
 * Words and symbols a descriptor gives the report (all optional: the report falls back to ids). Plain Unicode,
 * no TeX: subscripts as `_n` or Unicode (`p₀`), superscripts as Unicode (`σ_w²`).
 */
export interface DescriptorDisplay<Params = unknown> {
  /** Display name in words, e.g. `Relative entropy`, `2D Ising model`. */
  readonly name: string;
  /**
   * Math label of the quantity a probe reports, e.g. `D(p₀‖p_n)`; a function when it depends on the parameters
   * (construction C reverses the arguments). Systems may leave it out.
   */
  readonly symbol?: string | ((params: Params) => string);
  /**
   * Unit of the reported value in words, keyed by the `Measurement.unit` it describes (`'*'` for every unit), e.g.
   * `{ 'nat/site': 'nats per site' }`. A quantity that is not an information (Fisher information ∂²A/∂K² is a
   * curvature per site) says so here, so that the report never labels it in nats. Measurements with different
   * words never share an axis.
   */
  readonly units?: Readonly<Record<string, string>>;
  /** Parameters by dot path inside `params` (`sigmaW2`, `estimator.construction`). */
  readonly parameters?: Readonly<Record<string, ParameterDisplay>>;
  /** Site axes a system emits, by axis id: `{ 'rg-step': { name: 'RG step', symbol: 'n' } }`. */
  readonly axes?: Readonly<Record<string, ParameterDisplay>>;
  /** Words for parameter values that are ids, e.g. `{ 'migdal-kadanoff': 'Migdal–Kadanoff' }`. */
  readonly values?: Readonly<Record<string, string>>;
}

/**
 * Common shape of every plugin contribution: an id, a version, a one-line summary, a strict parameter
 * schema (one zod schema yields the validator, the static type and the JSON Schema for editors) and a
 * factory. Parameters are validated before `create` sees them and stored verbatim in results.
 */
export interface Descriptor<Params, Product> {
  /** Kebab-case id used in study files, unique within its kind. */
  readonly id: string;
  readonly version: string;
  readonly summary: string;
  /** Literature the implementation follows. */
  readonly citation?: string;
  /** Words and symbols for figures and legends (optional; the report falls back to ids). */
  readonly display?: DescriptorDisplay<Params>;
  /** Strict schema: unknown keys are errors. Use `.describe()` on fields: `entroscope list` prints it. */
  readonly paramsSchema: z.ZodType<Params>;
  create(params: Params, context: RunContext): Product;
  /**
   * Optional estimate of what one run with `params` needs, checked when a study is validated (before anything
   * runs), so that a configuration that cannot fit fails at once with the limit in the message.
   */
  estimate?(params: Params): ResourceEstimate;
}

/** What one run of a configuration needs (an order-of-magnitude estimate, not a measurement). */
export interface ResourceEstimate {
  /** Peak memory in bytes held at once (e.g. stored configurations). */
  readonly bytes?: number;
  /** What dominates, in words, for the error message (e.g. `100000 configurations of 4096×4096 spins`). */
  readonly what?: string;
}
