import { decodeMessage, type Envelope } from '@jetsaga/events';
import type { NatsConnection, Subscription } from 'nats';

export interface SagaProgress {
  sagaId: string;
  events: Envelope[];
  startedAt: number;
  finishedAt?: number;
}

/**
 * Whether a saga has run its course. An order: confirmed and committed, or cancelled with any
 * hold released (or, a hold kept for a re-order, all of it transferred). A transfer: completed,
 * or failed with any try it saw cancelled (the freeze released, the pending credit dropped). A
 * registration: the welcome points awarded, or refused. What the demo and `order place`,
 * `transfer` and `customer register` wait for. Types alone do, except for a hold transfer's
 * `remaining`.
 */
export function sagaFinished(events: readonly (string | { type: string; data?: unknown })[]): boolean {
  const types = events.map((e) => (typeof e === 'string' ? e : e.type));
  if (types.includes('TransferCompleted')) return true;
  if (types.includes('TransferFailed')) {
    return (!types.includes('FundsFrozen') || types.includes('FreezeReleased')) && (!types.includes('CreditPrepared') || types.includes('CreditDropped'));
  }
  if (types.includes('RegistrationRefused')) return true;
  if (types.includes('CustomerRegistered')) return types.includes('WelcomePointsAwarded');
  if (types.includes('RefundRejected')) return true;
  if (types.includes('RefundRequested')) return types.includes('OrderRefunded');
  if (types.includes('OrderConfirmed')) return types.includes('StockCommitted');
  if (types.includes('OrderCancelled')) return !types.includes('StockReserved') || types.includes('StockReleased') || holdAllTransferred(events);
  return false;
}

function holdAllTransferred(events: readonly (string | { type: string; data?: unknown })[]): boolean {
  return events.some((e) => typeof e !== 'string' && e.type === 'StockHoldTransferred' && (e.data as { remaining?: unknown[] } | undefined)?.remaining?.length === 0);
}

export function sagaOutcome(
  types: readonly string[],
): 'CONFIRMED' | 'CANCELLED' | 'REFUNDED' | 'REFUSED' | 'REFUNDING' | 'COMPLETED' | 'FAILED' | 'REGISTERED' | 'PENDING' {
  if (types.includes('TransferCompleted')) return 'COMPLETED';
  if (types.includes('TransferFailed')) return 'FAILED';
  if (types.includes('TransferConfirmed')) return 'CONFIRMED';
  if (types.includes('RegistrationRefused')) return 'REFUSED';
  if (types.includes('CustomerRegistered')) return 'REGISTERED';
  if (types.includes('OrderRefunded')) return 'REFUNDED';
  if (types.includes('RefundRejected')) return 'REFUSED';
  if (types.includes('RefundRequested')) return 'REFUNDING';
  if (types.includes('OrderConfirmed')) return 'CONFIRMED';
  if (types.includes('OrderCancelled')) return 'CANCELLED';
  return 'PENDING';
}

/**
 * Watches live events (core subscription on `subject`) and groups them by saga. Tracking a
 * saga again (a refund after the order) starts a new entry that gets the events from then on.
 */
export class SagaWatch {
  private readonly sagas = new Map<string, SagaProgress>();
  private readonly entries: SagaProgress[] = [];
  private readonly sub: Subscription;
  private readonly listeners = new Set<() => void>();

  constructor(nc: NatsConnection, subject = 'evt.>') {
    const sub = nc.subscribe(subject);
    this.sub = sub;
    void (async () => {
      for await (const m of sub) {
        const decoded = decodeMessage(m.data);
        if (!decoded.ok || !decoded.envelope.sagaId) continue;
        const progress = this.sagas.get(decoded.envelope.sagaId);
        if (!progress) continue;
        progress.events.push(decoded.envelope);
        if (!progress.finishedAt && sagaFinished(progress.events)) progress.finishedAt = Date.now();
        for (const l of this.listeners) l();
      }
    })();
  }

  /** Starts tracking a saga; call before publishing the command that starts it. */
  track(sagaId: string): SagaProgress {
    const progress: SagaProgress = { sagaId, events: [], startedAt: Date.now() };
    this.sagas.set(sagaId, progress);
    this.entries.push(progress);
    return progress;
  }

  /** Resolves when every tracked saga has finished, or after `timeoutMs`. */
  waitAll(timeoutMs: number, onChange?: () => void): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        onChange?.();
        if (this.entries.every((s) => s.finishedAt)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(ok);
      };
      this.listeners.add(check);
      check();
    });
  }

  all(): SagaProgress[] {
    return [...this.entries];
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
