import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { openLocalService, openServiceDb, type ServiceDb } from '@jetsaga/messaging/ops';
import { inventoryService } from '@jetsaga/inventory';
import { loyaltyService } from '@jetsaga/loyalty';
import { notificationService } from '@jetsaga/notification';
import { orderService } from '@jetsaga/order';
import { paymentService } from '@jetsaga/payment';

/**
 * The kit owns its tables (its own migrations, tracked apart); a service's migrations hold
 * only its tables. A db made by release 0.1 (test/fixtures/db-0.1, where every service's
 * migrations also created the kit's tables) opens in place, keeps its rows, and ends with the
 * same schema as a db made from scratch.
 */
const services: AnyServiceDefinition[] = [orderService, inventoryService, paymentService, loyaltyService, notificationService];
const fixtures = new URL('../fixtures/db-0.1/', import.meta.url);

/** The 0.1 db of `service` (kept as an SQL dump in the fixtures), written to `path`. */
function fromDump(service: string, path: string): void {
  const db = new Database(path);
  db.pragma('foreign_keys = OFF'); // rows in dump order, as a dump is replayed
  db.exec(readFileSync(new URL(`${service}.sql`, fixtures), 'utf8'));
  db.close();
}
const dir = mkdtempSync(join(tmpdir(), 'jetsaga-upgrade-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const open = (def: AnyServiceDefinition, path: string): ServiceDb => openServiceDb({ path, schema: def.schema, migrationsFolder: def.migrationsFolder });

function rowCounts(db: ServiceDb): Record<string, number> {
  const tables = db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND substr(name, 1, 2) <> '__' ORDER BY name").all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (db.$client.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

/** Tables with their columns, and indexes, as SQLite describes them (migration bookkeeping left out). */
function schemaOf(db: ServiceDb): string[] {
  const objects = db.$client
    .prepare("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND substr(tbl_name, 1, 2) <> '__' ORDER BY type, name")
    .all() as { type: string; name: string; tbl_name: string }[];
  return objects.map((o) => {
    if (o.type !== 'table') return `${o.type} ${o.name} on ${o.tbl_name}`;
    const cols = db.$client.prepare(`PRAGMA table_info("${o.name}")`).all() as { name: string; type: string; notnull: number; pk: number; dflt_value: unknown }[];
    // Sorted: a column added by ALTER TABLE comes last in an upgraded db, in place in a fresh one.
    return `table ${o.name}(${cols.sort((a, b) => a.name.localeCompare(b.name)).map((c) => `${c.name} ${c.type}${c.notnull ? ' not null' : ''}${c.pk ? ` pk${c.pk}` : ''}${c.dflt_value !== null ? ` default ${c.dflt_value}` : ''}`).join(', ')})`;
  });
}

/** The kit's migrations (shared/messaging/drizzle): a 0.1 db gets each, recorded in the kit's own table. */
const kitMigrations = (JSON.parse(readFileSync(new URL('../../shared/messaging/drizzle/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }).entries.length;

describe('a db made by release 0.1', () => {
  for (const def of services) {
    it(`${def.name}: opens in place, keeps every row, records the kit's migration, and matches a fresh db's schema`, () => {
      // given the 0.1 file
      const path = join(dir, `${def.name}.db`);
      fromDump(def.name, path);
      const before = open0(path);

      // when the current release opens it
      const upgraded = open(def, path);

      // then nothing was lost, the kit's migration is recorded on its own, and the schema is a fresh db's
      const counts = rowCounts(upgraded);
      assert.deepEqual(Object.fromEntries(Object.keys(before).map((t) => [t, counts[t]])), before);
      // tables added since 0.1 (inventory's prices) start empty
      for (const [table, n] of Object.entries(counts)) if (!(table in before)) assert.equal(n, 0, `${table} is new, and empty`);
      assert.ok(Object.values(before).some((n) => n > 0), 'the fixture has rows');
      assert.equal((upgraded.$client.prepare('SELECT count(*) AS n FROM __jetsaga_kit_migrations').get() as { n: number }).n, kitMigrations, 'each of the kit\'s migrations, recorded once');
      const fresh = open(def, join(dir, `${def.name}-fresh.db`));
      assert.deepEqual(schemaOf(upgraded), schemaOf(fresh));
      upgraded.$client.close();
      fresh.$client.close();
    });
  }

  it('keeps working: an upgraded order db takes a new order next to its old ones', () => {
    const path = join(dir, 'order-work.db');
    fromDump('order', path);
    const order = openLocalService(orderService, { path, env: {} });
    const before = (order.db.$client.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;

    const emitted = order.handle([createEnvelope('PlaceOrder', { orderId: 'after-upgrade', customerId: 'c1', items: [{ sku: 'sku-1', quantity: 1, unitPrice: 100 }] }, { producer: 'test', sagaId: 'after-upgrade' })]);

    assert.deepEqual(emitted.map((e) => e.type), ['OrderCreated']);
    assert.equal((order.db.$client.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n, before + 1);
    order.close();
  });
});

/** Row counts of a file as it is, before any migration runs. */
function open0(path: string): Record<string, number> {
  const db = { $client: new Database(path, { readonly: true }) } as ServiceDb;
  const counts = rowCounts(db);
  db.$client.close();
  return counts;
}
