import { ArgumentError, DuplicateIdError } from '@entroscope/core';
import type { BackendId, KernelImpl } from './backend';
import { kernelNames, type KernelName } from './kernel-names';

/**
 * The kernel registry: one implementation per (kernel, backend). The CPU backend registers every kernel (its
 * twins are the reference); other backends register theirs when loaded (gpu.js lazily). Registering the same
 * pair twice is an error; asking for a missing pair lists the backends that do implement the kernel.
 */
export class KernelRegistry {
  private readonly table = new Map<KernelName, Map<BackendId, KernelImpl<KernelName>>>();

  register<N extends KernelName>(name: N, backend: BackendId, impl: KernelImpl<N>): void {
    if (!kernelNames.includes(name))
      throw new ArgumentError('KernelRegistry.register: name', `one of ${kernelNames.join(', ')}`, name);
    let row = this.table.get(name);
    if (!row) this.table.set(name, (row = new Map()));
    if (row.has(backend)) throw new DuplicateIdError('kernel', `${name}@${backend}`);
    row.set(backend, impl as unknown as KernelImpl<KernelName>);
  }

  has(name: KernelName, backend: BackendId): boolean {
    return this.table.get(name)?.has(backend) ?? false;
  }

  get<N extends KernelName>(name: N, backend: BackendId): KernelImpl<N> {
    const impl = this.table.get(name)?.get(backend);
    if (!impl)
      throw new ArgumentError(
        `kernel '${name}'`,
        `a backend implementing it (${this.backendsOf(name).join(', ') || 'none'})`,
        backend,
      );
    return impl as unknown as KernelImpl<N>;
  }

  /** Backends implementing kernel `name`. */
  backendsOf(name: KernelName): BackendId[] {
    return [...(this.table.get(name)?.keys() ?? [])];
  }

  /** Kernels implemented by `backend`. */
  kernelsOf(backend: BackendId): KernelName[] {
    return kernelNames.filter((name) => this.has(name, backend));
  }
}
