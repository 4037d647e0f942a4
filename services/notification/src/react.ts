import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import {
  cancelledNotice,
  confirmedNotice,
  decideNotice,
  type Notification,
  type NotificationDecision,
  type NotificationState,
  refundedNotice,
} from './decide.js';
import type { NotificationSettings } from './settings.js';

export const notificationMessages = ['OrderConfirmed', 'OrderCancelled', 'OrderRefunded'] as const;
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
    default:
      return unhandled(input);
  }
}

/** Notification's router: every finished order gets its notice, once. */
export function react(state: NotificationState, input: NotificationInput, _ctx: ReactContext<NotificationSettings>): NotificationDecision {
  return decideNotice(state, noticeOf(input));
}
