export * from './jacobian-norm-probe';
export * from './sensitivity.module';
