import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Read-only handles on the services' SQLite files in the data dir, for the operator commands
 * (status, sagas, trace). A service whose file is not there (another machine) is skipped.
 */
export class LocalDbs {
  private readonly open = new Map<string, Database.Database | null>();

  constructor(readonly dataDir: string) {}

  get(service: string): Database.Database | null {
    if (!this.open.has(service)) {
      const path = join(this.dataDir, `${service}.db`);
      this.open.set(service, existsSync(path) ? new Database(path, { readonly: true, fileMustExist: true }) : null);
    }
    return this.open.get(service)!;
  }

  close(): void {
    for (const db of this.open.values()) db?.close();
    this.open.clear();
  }
}
