export * from './discrete-divergence';
export * from './gaussian-divergence';
export * from './exponential-family-divergence';
export * from './relative-entropy-probe';
export * from './divergence.module';
export * from './fisher-information-probe';
export * from './information-loss-probe';
export * from './mlp-relative-entropy-probe';
