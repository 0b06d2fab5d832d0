export * from './cascade-widths';
export * from './cascade-network';
export * from './image-source';
export * from './cascade-system';
export * from './trainability-system';
export * from './cascade.module';
