export * from './forward-process';
export * from './gaussian-mixture';
export * from './quadrature';
export * from './entropy-production';
export * from './data-source';
export * from './diffusion-system';
export * from './diffusion.module';
