import type { Reaction } from '@jetsaga/messaging';
import { cancelledNotice } from '../decide.js';
import { type NotificationTx, recordNotification } from '../store.js';

export const onOrderCancelled: Reaction<'OrderCancelled', NotificationTx> = ({ message, tx, now }) => recordNotification(tx, cancelledNotice(message.data), now.getTime());
