import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { placeholder as p, preparedQuery, type ServiceDb, type ServiceTx } from '@jetsaga/messaging';
import type { Notification, NotificationState } from './decide.js';
import { type NotificationInput, noticeOf } from './react.js';
import * as schema from './schema.js';

export type NotificationTx = ServiceTx<typeof schema>;
type Db = ServiceDb<typeof schema>;

const insertNotification = preparedQuery((tx: NotificationTx) =>
  tx
    .insert(schema.notifications)
    .values({ id: p('id'), orderId: p('orderId'), kind: p('kind'), customerId: p('customerId'), message: p('message'), status: 'PENDING', attempts: 0, nextAttemptAt: p('now'), createdAt: p('now') })
    .onConflictDoNothing()
    .prepare(),
);

const selectDue = preparedQuery((db: Db) =>
  db
    .select({
      id: schema.notifications.id,
      orderId: schema.notifications.orderId,
      kind: schema.notifications.kind,
      customerId: schema.notifications.customerId,
      message: schema.notifications.message,
      attempts: schema.notifications.attempts,
    })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.status, 'PENDING'), lte(schema.notifications.nextAttemptAt, p('now'))))
    .orderBy(asc(schema.notifications.nextAttemptAt))
    .limit(p('limit'))
    .prepare(),
);

const updateSent = preparedQuery((db: Db) =>
  db.update(schema.notifications).set({ status: 'SENT', sentAt: sql`${p('now')}`, lastError: null }).where(eq(schema.notifications.id, p('id'))).prepare(),
);

const selectRecorded = preparedQuery((tx: NotificationTx) => tx.select({ id: schema.notifications.id }).from(schema.notifications).where(eq(schema.notifications.id, p('id'))).prepare());

export function loadState(tx: NotificationTx, input: NotificationInput): NotificationState {
  return { recorded: selectRecorded(tx).get({ id: noticeOf(input).id }) !== undefined };
}

/** Records a notification to deliver; a second one for the same (order, kind) is ignored. */
export function saveChanges(tx: NotificationTx, { notification: n }: { notification: Notification }, now: number): void {
  insertNotification(tx).run({ id: n.id, orderId: n.orderId, kind: n.kind, customerId: n.customerId, message: n.message, now });
}

export function dueNotifications(db: Db, now: number, limit: number): (Notification & { attempts: number })[] {
  return selectDue(db).all({ now, limit });
}

export function markSent(db: Db, id: string, now: number): void {
  updateSent(db).run({ id, now });
}

/** Marks several sent in one transaction. */
export function markAllSent(db: Db, ids: string[], now: number): void {
  db.$client.transaction(() => {
    for (const id of ids) updateSent(db).run({ id, now });
  })();
}

export function markAttemptFailed(db: Db, id: string, attempts: number, error: string, nextAttemptAt: number | null): void {
  db.update(schema.notifications)
    .set({ attempts, lastError: error.slice(0, 1000), ...(nextAttemptAt === null ? { status: 'FAILED' as const } : { nextAttemptAt }) })
    .where(eq(schema.notifications.id, id))
    .run();
}
