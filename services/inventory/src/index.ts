export * from './decide.js';
export * as inventorySchema from './schema.js';
export { inventoryService } from './service.js';
