export * from './relative-entropy';
export * from './cutoff';
export * from './reconstruction-entropy-probe';
export * from './reconstruction.module';
