import { runServiceMain } from '@jetsaga/messaging';
import { inventoryService } from './service.js';

await runServiceMain(inventoryService);
