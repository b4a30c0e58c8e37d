export * from './package.ts';
export * from './record.ts';
