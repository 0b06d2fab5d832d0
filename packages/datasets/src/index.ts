export * from './dataset-error';
export * from './idx-file';
export * from './mnist';
export * from './synthetic';
