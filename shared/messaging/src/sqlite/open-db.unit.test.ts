import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServiceDb } from './open-db.js';

/** A service's migrations folder holding `migrations` (SQL texts, in order), in a fresh dir. */
function withMigrations(migrations: string[], run: (open: () => ReturnType<typeof openServiceDb>) => void, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): void {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-open-db-'));
  try {
    const migrationsFolder = join(dir, 'drizzle');
    mkdirSync(join(migrationsFolder, 'meta'), { recursive: true });
    const entries = migrations.map((sql, idx) => {
      const tag = `000${idx}_m`;
      writeFileSync(join(migrationsFolder, `${tag}.sql`), sql);
      return { idx, version: '6', when: 1_700_000_000_000 + idx, tag, breakpoints: true };
    });
    writeFileSync(join(migrationsFolder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries }));
    run(() => openServiceDb({ path: join(dir, 'svc.db'), schema: {}, migrationsFolder, synchronous }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parentAndChild = [
  'CREATE TABLE parent (id text PRIMARY KEY NOT NULL);\n--> statement-breakpoint\nCREATE TABLE child (id text PRIMARY KEY NOT NULL, parent_id text NOT NULL REFERENCES parent(id));',
  "INSERT INTO parent VALUES ('p1');\n--> statement-breakpoint\nINSERT INTO child VALUES ('c1', 'p1');",
];

describe('a service db as openServiceDb leaves it', () => {
  it('is in WAL mode with the asked synchronous, and keeps the savepoints of a batch in memory, not in a temp file per commit', () => {
    withMigrations(
      [],
      (open) => {
        const sqlite = open().$client;
        assert.equal(sqlite.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(sqlite.pragma('synchronous', { simple: true }), 2); // FULL
        assert.equal(sqlite.pragma('temp_store', { simple: true }), 2); // MEMORY
        sqlite.close();
      },
      'FULL',
    );
  });

  it('keeps the inbox and the timers in their primary key (no second b-tree per insert), and the outbox without an event_id index', () => {
    withMigrations([], (open) => {
      const sqlite = open().$client;
      const indexes = (table: string) => (sqlite.pragma(`index_list(${table})`) as { name: string }[]).map((i) => i.name).sort();
      // WITHOUT ROWID: the key is the table's own b-tree, not an index beside it
      assert.deepEqual(indexes('inbox'), ['sqlite_autoindex_inbox_1']);
      assert.equal((sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'inbox'").get() as { sql: string }).sql.includes('WITHOUT ROWID'), true);
      assert.equal((sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'timers'").get() as { sql: string }).sql.includes('WITHOUT ROWID'), true);
      assert.deepEqual(indexes('outbox'), ['outbox_unsent']);
      sqlite.close();
    });
  });

  it("enforces foreign keys once open, after running the migrations without them (a table's rebuild drops the parent before its copy takes the name)", () => {
    const rebuildParent = [
      'CREATE TABLE __new_parent (id text PRIMARY KEY NOT NULL) WITHOUT ROWID;\n--> statement-breakpoint\nINSERT INTO __new_parent SELECT id FROM parent;',
      'DROP TABLE parent;\n--> statement-breakpoint\nALTER TABLE __new_parent RENAME TO parent;',
    ].join('\n--> statement-breakpoint\n');
    withMigrations([...parentAndChild, rebuildParent], (open) => {
      const sqlite = open().$client;
      assert.deepEqual(sqlite.prepare('SELECT id, parent_id FROM child').all(), [{ id: 'c1', parent_id: 'p1' }]);
      assert.throws(() => sqlite.prepare("INSERT INTO child VALUES ('c2', 'nobody')").run(), /FOREIGN KEY constraint failed/);
      sqlite.close();
    });
  });

  it('leaves no WAL behind its migrations: a rebuild copies whole tables through it, and a WAL file does not shrink by itself', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `('p${i}')`).join(', ');
    const rebuild = ['CREATE TABLE __new_parent (id text PRIMARY KEY NOT NULL) WITHOUT ROWID;', 'INSERT INTO __new_parent SELECT id FROM parent;', 'DROP TABLE parent;', 'ALTER TABLE __new_parent RENAME TO parent;'];
    withMigrations([`CREATE TABLE parent (id text PRIMARY KEY NOT NULL);\n--> statement-breakpoint\nINSERT INTO parent VALUES ${rows};`, rebuild.join('\n--> statement-breakpoint\n')], (open) => {
      // given migrations that write a table and then copy it whole
      // when the db is opened
      const sqlite = open().$client;
      // then the rows are there and the WAL holds none of those pages
      assert.equal((sqlite.prepare('SELECT count(*) AS n FROM parent').get() as { n: number }).n, 2000);
      assert.equal(statSync(`${sqlite.name}-wal`).size, 0);
      sqlite.close();
    });
  });

  it('refuses to open a db whose migrations left rows breaking a foreign key, naming the table', () => {
    withMigrations([...parentAndChild, "DELETE FROM parent WHERE id = 'p1';"], (open) => {
      assert.throws(open, /after its migrations, 1 rows break a foreign key \(first: child -> parent\)/);
    });
  });
});
