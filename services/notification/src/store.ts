import { and, asc, eq, lte } from 'drizzle-orm';
import type { ServiceDb, ServiceTx } from '@jetsaga/messaging';
import type { Notification } from './decide.js';
import * as schema from './schema.js';

export type NotificationTx = ServiceTx<typeof schema>;
type Db = ServiceDb<typeof schema>;

/** Records a notification to deliver; a second one for the same (order, kind) is ignored. */
export function recordNotification(tx: NotificationTx, n: Notification, now: number): void {
  tx.insert(schema.notifications)
    .values({ ...n, status: 'PENDING', attempts: 0, nextAttemptAt: now, createdAt: now })
    .onConflictDoNothing()
    .run();
}

export function dueNotifications(db: Db, now: number, limit: number): (Notification & { attempts: number })[] {
  return db
    .select({
      id: schema.notifications.id,
      orderId: schema.notifications.orderId,
      kind: schema.notifications.kind,
      customerId: schema.notifications.customerId,
      message: schema.notifications.message,
      attempts: schema.notifications.attempts,
    })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.status, 'PENDING'), lte(schema.notifications.nextAttemptAt, now)))
    .orderBy(asc(schema.notifications.nextAttemptAt))
    .limit(limit)
    .all();
}

export function markSent(db: Db, id: string, now: number): void {
  db.update(schema.notifications).set({ status: 'SENT', sentAt: now, lastError: null }).where(eq(schema.notifications.id, id)).run();
}

export function markAttemptFailed(db: Db, id: string, attempts: number, error: string, nextAttemptAt: number | null): void {
  db.update(schema.notifications)
    .set({ attempts, lastError: error.slice(0, 1000), ...(nextAttemptAt === null ? { status: 'FAILED' as const } : { nextAttemptAt }) })
    .where(eq(schema.notifications.id, id))
    .run();
}
