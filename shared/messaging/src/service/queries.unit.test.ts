import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orderService } from '@jetsaga/order';
import { openServiceDb, type ServiceDb } from '../sqlite/open-db.js';
import { logStep } from '../step/step-log.js';
import { readLocalStatus } from './queries.js';

/** A service's own status, read from its db (a real SQLite file). */
describe('readLocalStatus', () => {
  let dir = '';
  let db: ServiceDb;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jetsaga-status-'));
    db = openServiceDb({ path: join(dir, 'order.db'), schema: orderService.schema, migrationsFolder: orderService.migrationsFolder });
  });
  after(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the steps of the last hour only, done and failed apart', () => {
    const now = Date.now();
    const step = (status: 'done' | 'failed', at: number) =>
      logStep(db, { sagaId: 's', step: 'order-PlaceOrder', operation: 'PlaceOrder', status, eventIn: `e-${at}`, eventsOut: [], ...(status === 'failed' ? { error: 'boom' } : {}) }, at);
    // given steps done two hours ago and in the last hour, and a failure in the last hour
    step('done', now - 2 * 3_600_000);
    step('done', now - 2 * 3_600_000);
    step('done', now - 60_000);
    step('failed', now - 30_000);
    step('done', now - 1_000);
    // when the status is read
    const status = readLocalStatus(db, now);
    // then only the last hour's steps count
    assert.deepEqual(status.lastHour, { done: 2, failed: 1, deadLettered: 0 });
    assert.equal(status.lastError?.error, 'boom');
  });
});
