export * from './package.ts';
export * from './record.ts';
export * from './unpack.ts';
