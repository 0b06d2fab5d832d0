export * from './entropy-probe';
export * from './mean-field-overlays';
export * from './two-input-mutual-information';
export * from './gram-entropy';
export * from './information.module';
