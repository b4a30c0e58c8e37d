export * from './schema.ts';
export * from './health.ts';
export * from './init.ts';
export * from './device.ts';
export * from './group.ts';
export * from './sync.ts';
export * from './sync-binary.ts';
