import type { Observable } from 'rxjs';
import type { Requirements } from './capabilities';
import type { Descriptor } from './descriptor';
import type { Measurement, Observation } from './observation';

/**
 * A probe turns a stream of observations into measurements: an RxJS operator. Invalid parameters throw
 * when the probe is created; data-dependent failures go down the error channel as ProbeDataError.
 */
export interface Probe {
  /** Descriptor id, e.g. `relative-entropy`. */
  readonly id: string;
  /** Estimator id, e.g. `exact`. */
  readonly estimator: string;
  apply(observations: Observable<Observation>): Observable<Measurement>;
}

/** Extension point: plugins bind ProbeDescriptor contributions in their ContainerModule. */
export interface ProbeDescriptor<Params = any> extends Descriptor<Params, Probe> {
  /** What this probe needs from a system when configured with `params`. */
  requires(params: Params): Requirements;
}
export const ProbeDescriptor = Symbol('ProbeDescriptor');
