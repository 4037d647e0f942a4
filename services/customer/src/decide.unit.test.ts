import { describe, it } from 'node:test';
import { message, routerSpec } from '@jetsaga/messaging';
import { react } from './react.js';

const spec = routerSpec(react, { settings: {} });

const register = (customerId: string, email: string) => message('RegisterCustomer', { customerId, email }, customerId);

describe('RegisterCustomer', () => {
  it('registers a new customer and says CustomerRegistered (through the outbox, with the row)', () => {
    spec
      .given({ customer: undefined })
      .when(register('c9', 'c9@example.com'))
      .then({ changes: { customer: { customerId: 'c9', email: 'c9@example.com' } }, events: [{ type: 'CustomerRegistered', data: { customerId: 'c9', email: 'c9@example.com' } }] });
  });

  it('refuses a customer registered already, with the reason, changing nothing (another email too)', () => {
    spec
      .given({ customer: { customerId: 'c9', email: 'c9@example.com' } })
      .when(register('c9', 'other@example.com'))
      .then({ events: [{ type: 'RegistrationRefused', data: { customerId: 'c9', reason: 'already_registered' } }] });
  });
});
