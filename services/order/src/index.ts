export * from './decide.js';
export * as orderSchema from './schema.js';
export { orderService } from './service.js';
