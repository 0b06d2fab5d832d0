import { EntroscopeError, type BackendHandle, type RandomStream } from '@entroscope/core';
import {
  backendIds,
  type BackendId,
  type KernelBackend,
  type KernelSignatures,
  type RequestedBackend,
} from './backend';
import { registerCpuKernels } from './cpu-backend';
import { GpujsKernels, gpujsUnavailableReason, registerGpujsKernels, type GpujsMode } from './gpujs/gpujs-backend';
import { familyOf, kernelFamilies, type KernelFamily, type KernelName } from './kernel-names';
import { KernelRegistry } from './registry';
import { measureFamilies } from './auto-measure';
import { availableParallelism } from 'node:os';

/** Whether a backend can run in this process, and why not. */
export interface BackendAvailability {
  readonly id: BackendId;
  readonly available: boolean;
  /** Why it is unavailable (null when available). */
  readonly reason: string | null;
}

/** A requested backend cannot run here. The message lists every backend with its availability. */
export class BackendUnavailableError extends EntroscopeError {
  constructor(requested: string, availability: readonly BackendAvailability[]) {
    const lines = availability.map((a) => `  - ${a.id}: ${a.available ? 'available' : `unavailable — ${a.reason}`}`);
    const usable = availability.filter((a) => a.available).map((a) => a.id);
    super(
      'BACKEND_UNAVAILABLE',
      `backend '${requested}' cannot run on this machine. Available: ${usable.join(', ')} (or 'auto'). All backends:\n${lines.join('\n')}`,
      { requested, availability: availability.map((a) => ({ ...a })) },
    );
  }
}

const gpujsModeOf = (id: BackendId): GpujsMode | null => (id.startsWith('gpujs:') ? (id.slice(6) as GpujsMode) : null);

const availabilityCache = new Map<BackendId, Promise<BackendAvailability>>();

/** Checks one backend (gpu.js modes by loading gpu.js and running a tiny kernel); cached per process. */
export function checkBackend(id: BackendId): Promise<BackendAvailability> {
  let result = availabilityCache.get(id);
  if (!result) {
    const mode = gpujsModeOf(id);
    result = mode
      ? gpujsUnavailableReason(mode).then((reason) => ({ id, available: reason === null, reason }))
      : Promise.resolve({ id, available: true, reason: null });
    availabilityCache.set(id, result);
  }
  return result;
}

export function checkBackends(): Promise<BackendAvailability[]> {
  return Promise.all(backendIds.map(checkBackend));
}

/** Shared registry: the cpu kernels and every gpu.js mode's kernels (each loads gpu.js only when first run). */
export const kernelRegistry = new KernelRegistry();
const gpujsInstances = new Map<GpujsMode, Promise<GpujsKernels>>();
registerCpuKernels(kernelRegistry);
for (const id of backendIds) {
  const mode = gpujsModeOf(id);
  if (mode) {
    registerGpujsKernels(kernelRegistry, mode, () => {
      let instance = gpujsInstances.get(mode);
      if (!instance) gpujsInstances.set(mode, (instance = GpujsKernels.create(mode)));
      return instance;
    });
  }
}

const methodKernels = {
  activation: 'activation',
  activationDerivative: 'activation-derivative',
  softmax: 'softmax',
  softmaxBackward: 'softmax-backward',
  rowMean: 'row-mean',
  rowVariance: 'row-variance',
  columnMean: 'column-mean',
  columnVariance: 'column-variance',
  logSumExp: 'log-sum-exp',
  histogram1d: 'histogram-1d',
  histogram2d: 'histogram-2d',
  pairwiseSquaredDistances: 'pairwise-squared-distances',
  kNearestNeighbours: 'k-nearest-neighbours',
  isingCheckerboardHalfSweep: 'ising-checkerboard-half-sweep',
} as const;

/** A KernelBackend whose families run on the given backends (all the same one unless `auto` mixed them). */
export function createKernelBackend(
  id: string,
  families: Readonly<Record<KernelFamily, BackendId>>,
  registry: KernelRegistry = kernelRegistry,
): KernelBackend {
  const run = async <N extends KernelName>(
    name: N,
    ...args: Parameters<KernelSignatures[N]>
  ): Promise<ReturnType<KernelSignatures[N]>> => {
    const impl = registry.get(name, families[familyOf[name]]) as unknown as (...a: unknown[]) => unknown;
    return (await impl(...args)) as ReturnType<KernelSignatures[N]>;
  };
  const backend: Record<string, unknown> = {
    id,
    families: { ...families },
    run,
    matmul: (...args: Parameters<KernelSignatures['matmul']>) => run('matmul', ...args),
    fillUniform: (random: RandomStream, out: Float32Array | Float64Array) => run('random-uniform', random, out),
    fillNormal: (random: RandomStream, out: Float32Array | Float64Array, mean?: number, sd?: number) =>
      run('random-normal', random, out, mean, sd),
    dispose: async () => {
      for (const [mode, instance] of gpujsInstances) {
        if (Object.values(families).includes(`gpujs:${mode}` as BackendId)) {
          gpujsInstances.delete(mode);
          (await instance.catch(() => null))?.dispose();
        }
      }
    },
  };
  for (const [method, name] of Object.entries(methodKernels))
    backend[method] = (...args: unknown[]) => (run as (n: string, ...a: unknown[]) => Promise<unknown>)(name, ...args);
  return backend as unknown as KernelBackend;
}

const uniform = (backend: BackendId): Record<KernelFamily, BackendId> =>
  Object.fromEntries(kernelFamilies.map((f) => [f, backend])) as Record<KernelFamily, BackendId>;

const resolved = new Map<string, KernelBackend>();

/**
 * The kernels of a run's backend. Accepts the handle from the RunContext (a KernelBackend from
 * `resolveKernelBackend`, returned as is) or a bare `{ id }` naming a concrete backend (`cpu`, `gpujs:<mode>`),
 * e.g. in unit tests. Never throws for `cpu`.
 */
export function kernelsFor(handle: BackendHandle): KernelBackend {
  if (typeof (handle as Partial<KernelBackend>).run === 'function') return handle as KernelBackend;
  const known = resolved.get(handle.id);
  if (known) return known;
  if ((backendIds as readonly string[]).includes(handle.id)) {
    const backend = createKernelBackend(handle.id, uniform(handle.id as BackendId));
    resolved.set(handle.id, backend);
    return backend;
  }
  throw new EntroscopeError(
    'BACKEND_UNKNOWN',
    `kernelsFor: backend '${handle.id}' was not resolved in this process; expected one of ${backendIds.join(', ')} or a handle returned by resolveKernelBackend`,
    { id: handle.id },
  );
}

/** What goes into study.resolved.json under `backend`. */
export interface BackendRecord {
  readonly requested: RequestedBackend;
  readonly id: string;
  readonly families: Readonly<Record<KernelFamily, BackendId>>;
  readonly why: string;
  readonly availability: readonly BackendAvailability[];
  /** auto only: median milliseconds of each family's probe workload on each available backend. */
  readonly timings?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly versions: Readonly<Record<string, string>>;
  readonly threads: number;
}

export interface ResolveOptions {
  /** auto: a non-cpu backend must beat cpu by this factor to be chosen (keeps choices stable run to run). Default 1.25. */
  readonly margin?: number;
  /** auto: gpu.js modes to measure (default: every available one). */
  readonly candidates?: readonly BackendId[];
  /**
   * auto: reuse this per-family choice instead of measuring (the runner passes the choice of the run it resumes,
   * so a resumed run computes with the same backends). Ignored when one of its backends is unavailable now.
   */
  readonly pinned?: Readonly<Record<string, string>>;
}

/**
 * Chooses the run's backend once. A concrete id must be available (else `BackendUnavailableError` listing
 * what is available and why the others are not). `auto` measures a small workload of every kernel family on
 * every available backend and keeps `cpu` for a family unless another backend is measured faster by `margin`.
 */
export async function resolveKernelBackend(
  requested: string,
  options: ResolveOptions = {},
): Promise<{ backend: KernelBackend; record: BackendRecord }> {
  if (requested !== 'auto' && !(backendIds as readonly string[]).includes(requested)) {
    throw new EntroscopeError(
      'BACKEND_UNKNOWN',
      `backend '${requested}' is unknown: expected auto or one of ${backendIds.join(', ')}`,
      { requested },
    );
  }
  const availability = await checkBackends();
  const versions = await versionsOf();
  const threads = availableParallelism();
  if (requested !== 'auto') {
    const id = requested as BackendId;
    if (!availability.find((a) => a.id === id)!.available) throw new BackendUnavailableError(id, availability);
    const backend = kernelsFor({ id });
    return {
      backend,
      record: {
        requested: id,
        id,
        families: backend.families as Record<KernelFamily, BackendId>,
        why: 'requested explicitly',
        availability,
        versions,
        threads,
      },
    };
  }
  const pinned = options.pinned;
  if (pinned && kernelFamilies.every((f) => availability.find((a) => a.id === pinned[f])?.available)) {
    const families = Object.fromEntries(kernelFamilies.map((f) => [f, pinned[f] as BackendId])) as Record<
      KernelFamily,
      BackendId
    >;
    const chosen = new Set(Object.values(families));
    const id =
      chosen.size === 1 ? [...chosen][0]! : `auto:${kernelFamilies.map((f) => `${f}=${families[f]}`).join(',')}`;
    const backend = resolved.get(id) ?? createKernelBackend(id, families);
    resolved.set(id, backend);
    return {
      backend,
      record: {
        requested: 'auto',
        id,
        families,
        why: 'the per-family choice of the earlier run this run resumes (not measured again)',
        availability,
        versions,
        threads,
      },
    };
  }
  const margin = options.margin ?? 1.25;
  const candidates = (options.candidates ?? backendIds).filter(
    (id) => id !== 'cpu' && availability.find((a) => a.id === id)?.available,
  );
  const timings = await measureFamilies(['cpu', ...candidates], (id) => kernelsFor({ id }));
  const families = uniform('cpu');
  const reasons: string[] = [];
  for (const family of kernelFamilies) {
    const row = timings[family]!;
    let best: BackendId = 'cpu';
    for (const id of candidates) if (row[id]! * margin < row[best]!) best = id;
    families[family] = best;
    if (best !== 'cpu') reasons.push(`${family}: ${best} ${(row.cpu! / row[best]!).toFixed(2)}× faster than cpu`);
  }
  const chosen = new Set(Object.values(families));
  const id = chosen.size === 1 ? [...chosen][0]! : `auto:${kernelFamilies.map((f) => `${f}=${families[f]}`).join(',')}`;
  const backend = resolved.get(id) ?? createKernelBackend(id, families);
  resolved.set(id, backend);
  const why =
    reasons.length === 0
      ? `cpu was fastest for every kernel family (measured against ${candidates.join(', ') || 'no other available backend'}; another backend must be ${margin}× faster to be chosen)`
      : `measured per family: ${reasons.join('; ')}; cpu elsewhere`;
  return { backend, record: { requested: 'auto', id, families, why, availability, timings, versions, threads } };
}

async function versionsOf(): Promise<Record<string, string>> {
  const versions: Record<string, string> = { node: process.versions.node };
  for (const pkg of ['gpu.js', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      versions[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      versions[pkg] = 'not installed';
    }
  }
  return versions;
}
