import { runServiceMain } from '@jetsaga/messaging';
import { orderService } from './service.js';

await runServiceMain(orderService);
