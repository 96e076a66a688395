export * from './drift.js';
export * from './views-fold.js';
export * from './registry-fold.js';
export * from './compare.js';
export type * from './audit-report.js';
export * from './snapshot.js';
