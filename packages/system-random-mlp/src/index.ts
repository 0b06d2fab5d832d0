export * from './mean-field';
export * from './width-schedule';
export * from './mlp-inputs';
export * from './random-mlp-system';
export * from './random-mlp.module';
