export * from './decide.js';
export * as inventorySchema from './schema.js';
export { inventoryService } from './service.js';
export * from './react.js';
export { inventorySettings, type InventorySettings } from './settings.js';
