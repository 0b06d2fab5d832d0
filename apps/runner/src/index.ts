export * from './cli';
export * from './container';
export * from './run-study';
export * from './results-store';
export * from './report/figures';
export * from './report/svg-chart';
export * from './report/write-report';
export * from './study-json-schema';
