import { Container, type ContainerModule } from 'inversify';
import { DescriptorRegistry, ProbeDescriptor, SystemDescriptor, type Registries } from '@entroscope/core';
import { pluginModules } from './plugins';

/**
 * The composition root: the only place (with ContainerModule files) that touches the inversify container.
 * Plugins contribute descriptors unnamed; registries collect them and fail on duplicate ids.
 */
export function createRegistries(modules: readonly ContainerModule[] = pluginModules.map((p) => p.module)): Registries {
  const container = new Container();
  container.loadSync(...modules);
  return {
    systems: new DescriptorRegistry<SystemDescriptor>('system', container.getAll<SystemDescriptor>(SystemDescriptor)),
    probes: new DescriptorRegistry<ProbeDescriptor>('probe', container.getAll<ProbeDescriptor>(ProbeDescriptor)),
  };
}
