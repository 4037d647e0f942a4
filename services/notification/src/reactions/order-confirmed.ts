import type { Reaction } from '@jetsaga/messaging';
import { confirmedNotice } from '../decide.js';
import { type NotificationTx, recordNotification } from '../store.js';

export const onOrderConfirmed: Reaction<'OrderConfirmed', NotificationTx> = ({ message, tx, now }) => recordNotification(tx, confirmedNotice(message.data), now.getTime());
