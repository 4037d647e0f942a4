import { createEnvelope, type EventDraft, eventSubject, latest, subjectKey } from '@jetsaga/events';
import { enqueueOutbox, type PendingRow } from './outbox.js';
import type { SqliteHandle } from '../sqlite/sqlite-handle.js';

export interface EmitContext {
  service: string;
  /** The saga of the message or timer being handled (a draft may name another). */
  sagaId: string | null;
  cause: { id: string; correlationId: string | null } | null;
  traceparent: string;
  now: Date;
}

/** Wraps drafts in envelopes and writes them to the outbox in `tx`; returns the rows written. */
export function writeEmitted(tx: SqliteHandle, drafts: EventDraft[], ctx: EmitContext): PendingRow[] {
  const rows: PendingRow[] = [];
  for (const draft of drafts) {
    const sagaId = draft.sagaId ?? ctx.sagaId;
    if (!sagaId) throw new Error(`${draft.type} emitted without a sagaId`);
    const envelope = createEnvelope(draft.type, draft.data, { producer: ctx.service, sagaId, cause: ctx.cause, now: ctx.now });
    rows.push(
      enqueueOutbox(
        tx,
        { eventId: envelope.id, subject: eventSubject(ctx.service, draft.type, sagaId, subjectKey(latest(draft.type)!, envelope.data)), payload: JSON.stringify(envelope), headers: { traceparent: ctx.traceparent } },
        ctx.now.getTime(),
      ),
    );
  }
  return rows;
}
