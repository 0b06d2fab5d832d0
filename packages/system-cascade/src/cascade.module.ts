import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { cascadeDescriptor } from './cascade-system';
import { trainabilityDescriptor } from './trainability-system';

/** Contributes the cascade system and its trainability ground truth. */
export const cascadeModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(cascadeDescriptor);
  bind(SystemDescriptor).toConstantValue(trainabilityDescriptor);
});
