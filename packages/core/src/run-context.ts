import type { RandomStream } from './random';

/** The compute backend chosen once per run (see @entroscope/kernels). Opaque to core. */
export interface BackendHandle {
  /** e.g. `cpu`, `gpujs:webasm`. */
  readonly id: string;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };

/** Everything a system or probe receives from the runner besides its parameters. */
export interface RunContext {
  /** Instance name in the study (e.g. `chain`). */
  readonly name: string;
  /** Seeded stream for this instance, task and replicate. Never use Math.random. */
  readonly random: RandomStream;
  readonly backend: BackendHandle;
  readonly logger: Logger;
  /** Aborted on Ctrl-C or when the run fails; long loops should check it. */
  readonly signal: AbortSignal;
  /** Reports progress of long work (fraction in [0, 1]). */
  readonly progress?: (fraction: number, message?: string) => void;
}
