import { runServiceMain } from '@jetsaga/messaging';
import { customerService } from './service.js';

await runServiceMain(customerService);
