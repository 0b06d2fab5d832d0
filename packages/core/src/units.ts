/**
 * Units of information and of the other quantities Entroscope measures.
 *
 * Entroscope stores information in **nats** (natural logarithms). Bits appear only at the boundary
 * (a study may ask for them in its report); conversion uses 1 bit = ln 2 nats.
 */
export type InformationUnit = 'nat' | 'bit';

/** Units a measurement may carry. `nat/site` and `nat/layer` make per-site vs total explicit. */
export type Unit = InformationUnit | 'nat/site' | 'bit/site' | 'dimensionless' | (string & {});

/** Nats in one bit: ln 2. */
export const NATS_PER_BIT = Math.LN2;

/** Converts an information value between nats and bits. */
export function convertInformation(value: number, from: InformationUnit, to: InformationUnit): number {
  if (from === to) return value;
  return from === 'nat' ? value / NATS_PER_BIT : value * NATS_PER_BIT;
}
