export * from './autocorrelation';
export * from './block-patterns';
export * from './bootstrap';
export * from './discrete-entropy';
export * from './plug-in-blocks-params';
export * from './symmetric-eigenvalues';
