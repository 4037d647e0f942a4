export * from './decide.js';
export * as notificationSchema from './schema.js';
export * from './senders.js';
export { notificationService } from './service.js';
