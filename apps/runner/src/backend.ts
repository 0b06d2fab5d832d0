import type { BackendHandle } from '@entroscope/core';
import { resolveKernelBackend } from '@entroscope/kernels';

/**
 * Chooses the run's compute backend once ('auto' | 'cpu' | 'gpujs:cpu' | 'gpujs:webasm' | 'gpujs:headlessgl' |
 * 'gpujs:webgpu'). The handle is a KernelBackend (systems and probes get its kernels with
 * `kernelsFor(context.backend)`); `record` goes into study.resolved.json. An unavailable backend throws
 * BackendUnavailableError listing what is available and why the others are not. Logic: @entroscope/kernels.
 */
export async function resolveBackend(
  requested: string,
  pinned?: Readonly<Record<string, string>>,
): Promise<{ handle: BackendHandle; record: Record<string, unknown> }> {
  const { backend, record } = await resolveKernelBackend(requested, pinned ? { pinned } : {});
  return { handle: backend, record: { ...record } };
}
