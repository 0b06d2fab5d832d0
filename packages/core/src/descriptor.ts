import type { z } from 'zod';
import type { RunContext } from './run-context';

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
