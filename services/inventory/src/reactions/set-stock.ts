import type { Reaction } from '@jetsaga/messaging';
import { decideSetStock } from '../decide.js';
import { type InventoryTx, loadStock, saveStock } from '../store.js';

export const onSetStock: Reaction<'SetStock', InventoryTx> = ({ message, tx, now }) => {
  const { sku } = message.data;
  const level = decideSetStock(loadStock(tx, [sku]).get(sku), message.data);
  saveStock(tx, [level], now.getTime());
};
