import type { JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { subjectCovers } from './provision.js';

/** How long a read waits for the replica serving it to hold what the stream's leader counted. */
const CATCH_UP_MS = 15_000;

/**
 * Every message of `stream` matching `filter` that is stored now, in stream order, through an
 * ordered consumer (no durable state left behind). A string filter: nats 2.29 with server
 * 2.9 hangs on an array.
 *
 * On a cluster, nats-server (2.9) places that consumer on any replica of the stream, and a
 * replica still catching up (a node just restarted) holds fewer messages than the stream: a
 * read there would end early, silently. So the stream's leader (who answers stream info) says
 * first how many messages match, and the read goes on until that many came, waiting for the
 * replica up to 15 s; after that it fails, unless messages were removed meanwhile.
 */
export async function readStream<T>(nc: NatsConnection, stream: string, filter: string, map: (m: JsMsg) => T | undefined): Promise<T[]> {
  const jsm = await nc.jetstreamManager();
  let expected = await countMatching(jsm, stream, filter);
  const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: filter });
  let pending = (await consumer.info()).num_pending;
  const out: T[] = [];
  let read = 0;
  const deadline = Date.now() + CATCH_UP_MS;
  while (pending > 0 || read < expected) {
    const batch = await consumer.fetch({ max_messages: Math.max(1, Math.min(pending || expected - read, 256)), expires: 1000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      read++;
      pending = m.info.pending;
      const item = map(m);
      if (item !== undefined) out.push(item);
    }
    if (got > 0 || read < expected) {
      if (got === 0 && Date.now() > deadline) {
        // Removed since they were counted (a dead letter re-driven), or the replica stays behind.
        expected = await countMatching(jsm, stream, filter);
        if (read >= expected) break;
        throw new Error(`read ${read} of the ${expected} messages of ${stream} under ${filter}: the replica serving the read has not caught up with its leader in ${CATCH_UP_MS / 1000} s`);
      }
      continue;
    }
    break;
  }
  return out;
}

/** How many messages of `stream` match `filter`, as the stream's leader counts them. */
async function countMatching(jsm: JetStreamManager, stream: string, filter: string): Promise<number> {
  const whole = await jsm.streams.info(stream);
  if ((whole.config.subjects ?? []).every((s) => subjectCovers(filter, s))) return whole.state.messages;
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  return Object.values(info.state.subjects ?? {}).reduce((n, c) => n + c, 0);
}

export function headerRecord(m: JsMsg): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers ?? []) headers[k] = v[0] ?? '';
  return headers;
}
