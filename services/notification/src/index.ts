export * from './decide.js';
export * as notificationSchema from './schema.js';
export * from './senders.js';
export { notificationService } from './service.js';
export * from './react.js';
export { notificationSettings, type NotificationSettings } from './settings.js';
