import type { Reaction } from '@jetsaga/messaging';
import { refundedNotice } from '../decide.js';
import { type NotificationTx, recordNotification } from '../store.js';

export const onOrderRefunded: Reaction<'OrderRefunded', NotificationTx> = ({ message, tx, now }) => recordNotification(tx, refundedNotice(message.data), now.getTime());
