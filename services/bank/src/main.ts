import { instanceIdFromEnv, runServiceMain } from '@jetsaga/messaging';
import { bankService } from './service.js';

// JETSAGA_BANK_ID=a runs bank-a (the stack sets it for each of JETSAGA_BANKS).
await runServiceMain(() => bankService(instanceIdFromEnv('bank')));
