import type { Input, ReactContext } from '@jetsaga/messaging';
import { type CustomerDecision, type CustomerState, decideRegister } from './decide.js';

export const customerMessages = ['RegisterCustomer'] as const;
export type CustomerInput = Input<(typeof customerMessages)[number]>;

/** Customer's router: every message it receives, to its decision. */
export function react(state: CustomerState, input: CustomerInput, _ctx: ReactContext<unknown>): CustomerDecision {
  // One input so far: a second one in customerMessages makes this a switch ending in unhandled(input), like the other routers.
  return decideRegister(state, input.data);
}
