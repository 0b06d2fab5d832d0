import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { diffusionDescriptor } from './diffusion-system';

/** Contributes the diffusion systems to the runner's registries. */
export const diffusionModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(diffusionDescriptor);
});
