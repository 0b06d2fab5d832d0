export * from './width-schedule';
export * from './observation-times';
export * from './trained-mlp-system';
export * from './trained-mlp.module';
