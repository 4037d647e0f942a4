import { z } from 'zod';
import { defineEvent } from '../define.js';
import { email, tokenId } from '../ids.js';

export const CustomerRegistered = defineEvent({
  type: 'CustomerRegistered',
  version: 1,
  owner: 'customer',
  partyKey: 'customerId',
  sagaKey: 'customerId',
  summary: 'A customer is registered (written to the outbox with the customer row: the local message table). Loyalty awards the welcome points, notification sends the welcome notice.',
  data: z.object({ customerId: tokenId, email }),
});
export type CustomerRegisteredData = z.infer<typeof CustomerRegistered.data>;

export const RegistrationRefused = defineEvent({
  type: 'RegistrationRefused',
  version: 1,
  failure: true,
  owner: 'customer',
  partyKey: 'customerId',
  sagaKey: 'customerId',
  summary: 'A registration was refused: the customerId is registered already. Nothing changed.',
  data: z.object({ customerId: tokenId, reason: z.literal('already_registered') }),
});
export type RegistrationRefusedData = z.infer<typeof RegistrationRefused.data>;
