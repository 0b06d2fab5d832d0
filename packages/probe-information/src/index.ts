export * from './block-patterns';
export * from './discrete-entropy';
export * from './bootstrap';
export * from './plug-in-blocks-params';
export * from './entropy-probe';
export * from './information.module';
