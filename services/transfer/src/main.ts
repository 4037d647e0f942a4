import { runServiceMain } from '@jetsaga/messaging';
import { transferService } from './service.js';

await runServiceMain(transferService);
