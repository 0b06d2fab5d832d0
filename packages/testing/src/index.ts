export * from './system-conformance';
export * from './probe-conformance';
export * from './kernel-conformance';
