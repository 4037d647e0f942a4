import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Notification } from './decide.js';

/** Delivers a notification; throws when it could not (the worker retries with backoff). */
export interface NotificationSender {
  readonly name: string;
  send(n: Notification): Promise<void>;
}

/**
 * Appends one JSON line per notification. Idempotent by id: a notification written just
 * before a crash (and so not marked sent) is found in the file and not written again.
 */
export class JsonLinesFileSender implements NotificationSender {
  readonly name = 'file';
  private readonly written = new Set<string>();

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return;
    const text = readFileSync(path, 'utf8');
    // A crash mid-write leaves a torn last line: end it, so the next record starts on its own line.
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(path, '\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        this.written.add((JSON.parse(line) as { id: string }).id);
      } catch {
        // a torn last line from a crash mid-write: that notification is written again
      }
    }
  }

  async send(n: Notification): Promise<void> {
    if (this.written.has(n.id)) return;
    appendFileSync(this.path, `${JSON.stringify({ ...n, sentAt: new Date().toISOString() })}\n`);
    this.written.add(n.id);
  }
}

/** POSTs the notification as JSON with `Idempotency-Key: <id>`, so the receiver can drop repeats. */
export class WebhookSender implements NotificationSender {
  readonly name = 'webhook';

  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async send(n: Notification): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': n.id },
      body: JSON.stringify(n),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status} ${res.statusText}`);
  }
}
