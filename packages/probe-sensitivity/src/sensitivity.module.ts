import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { jacobianNormDescriptor } from './jacobian-norm-probe';

/** Contributes the sensitivity probes (Jacobian growth). */
export const sensitivityModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(jacobianNormDescriptor);
});
