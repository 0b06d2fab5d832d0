export * from './replica-entropy-probe';
export * from './replica.module';
