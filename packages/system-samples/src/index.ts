export * from './array-files';
export * from './samples-system';
export * from './samples.module';
