import { createInbox, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type NatsError, type Subscription } from 'nats';

const decoder = new TextDecoder();

export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

export interface Publication {
  subject: string;
  payload: string | Uint8Array;
  /** Nats-Msg-Id: the broker drops a second copy within its duplicate window. */
  msgId: string;
  headers?: Record<string, string>;
}

/** A publication's own headers as NATS headers. */
export function headersOf(p: Publication): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(p.headers ?? {})) h.set(k, v);
  return h;
}

/**
 * Publishes to JetStream with a window of PubAcks in flight, collected on one subscription.
 * nats.js's `js.publish` makes a request per message (a mux entry, a timer and an error
 * object each); here a batch costs its publishes and one timer.
 */
export class JetStreamPublisher {
  private readonly prefix: string;
  private readonly sub: Subscription;
  private readonly waiting = new Map<string, { resolve(ack: PubAck): void; reject(err: Error): void }>();
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    // The connection's own inbox prefix: where permissions let this identity receive replies.
    this.prefix = createInbox((nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (err, msg) => this.onReply(err, msg) });
  }

  /** Publishes every item, then settles each with its PubAck, an error, or a timeout. */
  publishAll(items: Publication[], timeoutMs: number): Promise<PromiseSettledResult<PubAck>[]> {
    const tokens: string[] = [];
    const acks = items.map(
      (item) =>
        new Promise<PubAck>((resolve, reject) => {
          const token = String(this.next++);
          tokens.push(token);
          this.waiting.set(token, { resolve, reject });
          const h = headersOf(item);
          h.set('Nats-Msg-Id', item.msgId);
          try {
            this.nc.publish(item.subject, item.payload, { reply: `${this.prefix}.${token}`, headers: h });
          } catch (err) {
            this.waiting.delete(token);
            reject(err as Error);
          }
        }),
    );
    const timer = setTimeout(() => {
      for (const token of tokens) this.settle(token)?.reject(new Error(`no PubAck within ${timeoutMs} ms`));
    }, timeoutMs);
    return Promise.allSettled(acks).finally(() => clearTimeout(timer));
  }

  /** Stops listening; publications still waiting fail. */
  close(): void {
    this.sub.unsubscribe();
    for (const token of [...this.waiting.keys()]) this.settle(token)?.reject(new Error('publisher closed'));
  }

  private settle(token: string) {
    const waiter = this.waiting.get(token);
    this.waiting.delete(token);
    return waiter;
  }

  private onReply(err: NatsError | null, msg: Msg): void {
    const waiter = this.settle(msg.subject.slice(this.prefix.length + 1));
    if (!waiter) return;
    if (err) return waiter.reject(err);
    // No stream listens on the subject: the server answers with a 503 status and no body.
    if (msg.headers?.code === 503) return waiter.reject(new Error(`no JetStream stream takes this subject (503 no responders)`));
    try {
      const body = JSON.parse(decoder.decode(msg.data)) as { stream?: string; seq?: number; duplicate?: boolean; error?: { code: number; description: string } };
      if (body.error) return waiter.reject(new Error(`JetStream refused the publication: ${body.error.description} (${body.error.code})`));
      waiter.resolve({ stream: body.stream!, seq: body.seq!, duplicate: !!body.duplicate });
    } catch (parseErr) {
      waiter.reject(new Error(`unreadable PubAck: ${(parseErr as Error).message}`));
    }
  }
}
