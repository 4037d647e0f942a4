import { eq } from 'drizzle-orm';
import { placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { Customer, CustomerState } from './decide.js';
import type { CustomerInput } from './react.js';
import * as schema from './schema.js';

export type CustomerTx = ServiceTx<typeof schema>;

const selectCustomer = preparedQuery((tx: CustomerTx) => tx.select().from(schema.customers).where(eq(schema.customers.customerId, p('customerId'))).prepare());
const insertCustomer = preparedQuery((tx: CustomerTx) =>
  tx.insert(schema.customers).values({ customerId: p('customerId'), email: p('email'), registeredAt: p('now') }).prepare(),
);

export function loadState(tx: CustomerTx, input: CustomerInput): CustomerState {
  const row = selectCustomer(tx).get({ customerId: input.data.customerId });
  return { customer: row && { customerId: row.customerId, email: row.email } };
}

/** A new customer only: the decision never changes a registered one. */
export function saveChanges(tx: CustomerTx, { customer: c }: { customer: Customer }, now: number): void {
  insertCustomer(tx).run({ customerId: c.customerId, email: c.email, now });
}
