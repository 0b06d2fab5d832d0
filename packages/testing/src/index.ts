export * from './system-conformance';
export * from './probe-conformance';
