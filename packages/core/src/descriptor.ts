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
}
