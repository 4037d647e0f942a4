import { runServiceMain } from '@jetsaga/messaging';
import { notificationService } from './service.js';

await runServiceMain(notificationService);
