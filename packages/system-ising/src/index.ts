export * from './log-cosh';
export * from './ising-1d-exact';
export * from './ising-1d-sampler';
export * from './ising-1d-system';
export * from './ising.module';
export * from './ising-2d-exact';
export * from './ising-2d-finite';
export * from './ising-2d-flows';
