import type { JsMsg, NatsConnection } from 'nats';

/**
 * Every message of `stream` matching `filter` that is stored now, in stream order, through an
 * ordered consumer (no durable state left behind). A string filter: nats 2.29 with server
 * 2.9 hangs on an array.
 */
export async function readStream<T>(nc: NatsConnection, stream: string, filter: string, map: (m: JsMsg) => T | undefined): Promise<T[]> {
  const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: filter });
  let pending = (await consumer.info()).num_pending;
  const out: T[] = [];
  while (pending > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(pending, 256), expires: 1000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      pending = m.info.pending;
      const item = map(m);
      if (item !== undefined) out.push(item);
    }
    if (got === 0) break;
  }
  return out;
}

export function headerRecord(m: JsMsg): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers ?? []) headers[k] = v[0] ?? '';
  return headers;
}
