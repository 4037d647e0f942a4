import { draft, type RegisterCustomerData } from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';

export interface Customer {
  customerId: string;
  email: string;
}

export interface CustomerState {
  customer: Customer | undefined;
}

export type CustomerDecision = Decision<{ customer: Customer }>;

/**
 * Registers a new customer; CustomerRegistered leaves through the outbox, in the same
 * transaction as the row (the local message table). A registration of a customerId that is
 * registered already is refused with the reason, and changes nothing.
 */
export function decideRegister(state: CustomerState, command: RegisterCustomerData): CustomerDecision {
  if (state.customer) return { events: [draft('RegistrationRefused', { customerId: command.customerId, reason: 'already_registered' })] };
  const customer: Customer = { customerId: command.customerId, email: command.email };
  return { changes: { customer }, events: [draft('CustomerRegistered', customer)] };
}
