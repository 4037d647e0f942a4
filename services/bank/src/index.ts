export * from './decide.js';
export * as bankSchema from './schema.js';
export { bankService } from './service.js';
export * from './react.js';
export type { BankSettings } from './settings.js';
