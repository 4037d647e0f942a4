import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import {
  cancelledNotice,
  confirmedNotice,
  decideNotice,
  type Notification,
  type NotificationDecision,
  type NotificationState,
  refundedNotice,
  welcomeNotice,
} from './decide.js';
import type { NotificationSettings } from './settings.js';

export const notificationMessages = ['OrderConfirmed', 'OrderCancelled', 'OrderRefunded', 'CustomerRegistered'] as const;
export type NotificationInput = Input<(typeof notificationMessages)[number]>;

/** The notice an input asks for. */
export function noticeOf(input: NotificationInput): Notification {
  switch (input.type) {
    case 'OrderConfirmed':
      return confirmedNotice(input.data);
    case 'OrderCancelled':
      return cancelledNotice(input.data);
    case 'OrderRefunded':
      return refundedNotice(input.data);
    case 'CustomerRegistered':
      return welcomeNotice(input.data);
    default:
      return unhandled(input);
  }
}

/** Notification's router: every finished order gets its notice, and every new customer a welcome, once. */
export function react(state: NotificationState, input: NotificationInput, _ctx: ReactContext<NotificationSettings>): NotificationDecision {
  return decideNotice(state, noticeOf(input));
}
