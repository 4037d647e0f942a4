export * from './decide.js';
export * as customerSchema from './schema.js';
export { customerService } from './service.js';
export * from './react.js';
