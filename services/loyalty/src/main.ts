import { runServiceMain } from '@jetsaga/messaging';
import { loyaltyService } from './service.js';

await runServiceMain(loyaltyService);
