import { DuplicateIdError, UnknownIdError, type SourceLocation } from './errors';

/**
 * Collects descriptors contributed by plugins. Ids are unique (a duplicate fails at construction);
 * an unknown id fails with the list of known ids. An empty registry is valid.
 */
export class DescriptorRegistry<D extends { readonly id: string }> {
  private readonly byId = new Map<string, D>();

  constructor(
    /** What the descriptors are, for messages: `system`, `probe`, `kernel`. */
    readonly kind: string,
    descriptors: readonly D[],
  ) {
    for (const descriptor of descriptors) {
      if (this.byId.has(descriptor.id)) throw new DuplicateIdError(kind, descriptor.id);
      this.byId.set(descriptor.id, descriptor);
    }
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string, location?: SourceLocation): D {
    const found = this.byId.get(id);
    if (!found) throw new UnknownIdError(this.kind, id, this.ids(), location);
    return found;
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  list(): D[] {
    return this.ids().map((id) => this.byId.get(id)!);
  }
}
