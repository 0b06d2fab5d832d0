import { METRICS_KIND, type ExactDescriptionType, type Observation } from './observation';

/** What a configured system can emit. */
export interface Capabilities {
  /** Site axes it emits, e.g. ['rg-step']. */
  readonly axes: readonly string[];
  /** Data kinds its observations carry samples of (empty when it emits exact descriptions only). */
  readonly kinds: readonly string[];
  /** Exact descriptions attached to its observations. */
  readonly exact: readonly ExactDescriptionType[];
}

/** What a configured probe needs. Each list is "any of"; an omitted list means no requirement. */
export interface Requirements {
  readonly kinds?: readonly string[];
  readonly exact?: readonly ExactDescriptionType[];
  readonly axes?: readonly string[];
}

/** Lists what `requirements` asks for that `capabilities` lacks (empty when compatible). */
export function unmetRequirements(requirements: Requirements, capabilities: Capabilities): string[] {
  const missing: string[] = [];
  const check = (what: string, wanted: readonly string[] | undefined, offered: readonly string[]) => {
    if (!wanted || wanted.length === 0) return;
    if (!wanted.some((w) => offered.includes(w))) {
      missing.push(
        `needs ${what} ${wanted.map((w) => `'${w}'`).join(' or ')}, system provides ${offered.length ? offered.map((o) => `'${o}'`).join(', ') : 'none'}`,
      );
    }
  };
  check('data kind', requirements.kinds, capabilities.kinds);
  check('exact description', requirements.exact, capabilities.exact);
  check('site axis', requirements.axes, capabilities.axes);
  return missing;
}

/**
 * Whether the runner hands `observation` to a probe with these requirements: observations of kind `metrics`
 * go only to probes whose `kinds` include 'metrics'; a probe that asks for nothing but metrics gets nothing
 * else; every other observation goes to every other probe (as before metrics existed).
 */
export function probeReceives(requirements: Requirements, observation: Observation): boolean {
  const kinds = requirements.kinds ?? [];
  const wantsMetrics = kinds.includes(METRICS_KIND);
  if (observation.kind === METRICS_KIND) return wantsMetrics;
  return !(wantsMetrics && kinds.every((k) => k === METRICS_KIND));
}
