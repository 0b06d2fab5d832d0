import type { Observable } from 'rxjs';
import type { Capabilities } from './capabilities';
import type { Descriptor } from './descriptor';
import type { Observation } from './observation';

/**
 * A physical or neural system that emits observations at sites (RG steps, layers, times...).
 * `observe()` is cold: each subscription runs the system once, deterministically from the context's
 * random stream. Implementations emit sites in increasing index order and honour the abort signal.
 */
export interface System {
  observe(): Observable<Observation>;
}

/** Extension point: plugins bind SystemDescriptor contributions in their ContainerModule. */
export interface SystemDescriptor<Params = any> extends Descriptor<Params, System> {
  /** What this system emits when configured with `params` (checked against probe requirements). */
  provides(params: Params): Capabilities;
}
export const SystemDescriptor = Symbol('SystemDescriptor');
