export * from './erf';
export * from './brent';
export * from './gaussian-quadrature';
export * from './mean-field-activation';
export * from './mean-field';
export * from './width-schedule';
