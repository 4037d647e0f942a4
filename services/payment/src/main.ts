import { runServiceMain } from '@jetsaga/messaging';
import { paymentService } from './service.js';

await runServiceMain(paymentService);
