export * from './decide.js';
export * as transferSchema from './schema.js';
export { transferService } from './service.js';
export * from './react.js';
export type { TransferSettings } from './settings.js';
