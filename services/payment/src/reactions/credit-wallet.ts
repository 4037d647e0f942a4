import type { Reaction } from '@jetsaga/messaging';
import { decideCredit } from '../decide.js';
import { loadWallet, type PaymentTx, saveWallet } from '../store.js';

export const onCreditWallet: Reaction<'CreditWallet', PaymentTx> = ({ message, tx, now }) => {
  saveWallet(tx, decideCredit(loadWallet(tx, message.data.customerId), message.data), now.getTime());
};
