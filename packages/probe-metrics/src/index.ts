export * from './training-metrics-probe';
export * from './metrics.module';
