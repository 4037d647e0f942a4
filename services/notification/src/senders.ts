import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Notification } from './decide.js';

/** Delivers a notification; throws when it could not (the worker retries with backoff). */
export interface NotificationSender {
  readonly name: string;
  send(n: Notification): Promise<void>;
  /** Delivers several at once, all or none (a sender that can batch). */
  sendAll?(ns: Notification[]): Promise<void>;
}

/**
 * Appends one JSON line per notification. Idempotent by id: a notification written just
 * before a crash (and so not marked sent) is found in the file and not written again. Only
 * the `remember` most recent ids are kept in memory: a notification marked sent is never
 * sent again, so only the last ones before a crash can come back.
 */
export class JsonLinesFileSender implements NotificationSender {
  readonly name = 'file';
  private readonly written = new Set<string>();

  constructor(
    readonly path: string,
    private readonly remember = 50_000,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return;
    const text = readFileSync(path, 'utf8');
    // A crash mid-write leaves a torn last line: end it, so the next record starts on its own line.
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(path, '\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        this.remembered((JSON.parse(line) as { id: string }).id);
      } catch {
        // a torn last line from a crash mid-write: that notification is written again
      }
    }
  }

  async send(n: Notification): Promise<void> {
    return this.sendAll([n]);
  }

  /** One append for all the notifications not written yet. */
  async sendAll(ns: Notification[]): Promise<void> {
    const sentAt = new Date().toISOString();
    const ids = new Set<string>();
    const fresh = ns.filter((n) => !this.written.has(n.id) && !ids.has(n.id) && ids.add(n.id));
    if (fresh.length === 0) return;
    appendFileSync(this.path, fresh.map((n) => `${JSON.stringify({ ...n, sentAt })}\n`).join(''));
    for (const n of fresh) this.remembered(n.id);
  }

  private remembered(id: string): void {
    this.written.delete(id);
    this.written.add(id);
    if (this.written.size > this.remember) this.written.delete(this.written.values().next().value!);
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
