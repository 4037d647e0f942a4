export * from './decide.js';
export * as paymentSchema from './schema.js';
export { paymentService } from './service.js';
export * from './react.js';
