export * from './decide.js';
export * as orderSchema from './schema.js';
export { orderService } from './service.js';
export * from './react.js';
export { orderSettings, type OrderSettings } from './settings.js';
