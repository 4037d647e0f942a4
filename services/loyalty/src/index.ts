export * from './decide.js';
export * as loyaltySchema from './schema.js';
export { loyaltyService } from './service.js';
