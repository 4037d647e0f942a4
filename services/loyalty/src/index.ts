export * from './decide.js';
export * as loyaltySchema from './schema.js';
export { loyaltyService } from './service.js';
export * from './react.js';
export { loyaltySettings, type LoyaltySettings } from './settings.js';
