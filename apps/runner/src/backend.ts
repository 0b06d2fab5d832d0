// Placeholder written by the lead so the runner compiles before @entroscope/kernels lands.
// OWNED BY THE KERNELS ENGINEER: replace it wholesale with the real backend selection.
import { EntroscopeError, type BackendHandle } from '@entroscope/core';

export async function resolveBackend(requested: string): Promise<{ handle: BackendHandle; record: Record<string, unknown> }> {
  if (requested === 'auto' || requested === 'cpu') {
    return { handle: { id: 'cpu' }, record: { id: 'cpu', requested, reason: 'plain TypeScript CPU kernels' } };
  }
  throw new EntroscopeError('BACKEND_UNAVAILABLE', `backend '${requested}' is not available; available: auto, cpu`, { requested });
}
