import type { JetStreamClient } from 'nats';
import { sagaFilter } from '@jetsaga/events';
import { type GlobalOptions, withNats } from './connection.js';
import { formatSagaTable } from './format.js';
import { SagaWatch, sagaOutcome } from './saga-watch.js';

export interface FollowOptions extends GlobalOptions {
  /** Follow the saga until it has run its course (else return once the command is stored). */
  wait: boolean;
  /** How long to follow it, in ms. */
  timeout: string;
  /** Print JSON (the global --json). */
  json?: boolean;
}

/**
 * Publishes a command that starts or continues saga `sagaId`, then follows its events live
 * until it has run its course (`sagaFinished`) and prints them, unless told not to wait.
 */
export async function sendAndFollow(options: FollowOptions, sagaId: string, send: (js: JetStreamClient) => Promise<unknown>, accepted: string): Promise<void> {
  await withNats(options, async (nc) => {
    const watch = options.wait ? new SagaWatch(nc, sagaFilter(sagaId)) : null;
    watch?.track(sagaId);
    await send(nc.jetstream());
    if (!options.json) console.log(accepted);
    if (!watch) return options.json ? console.log(JSON.stringify({ sagaId, accepted: true })) : undefined;
    const finished = await watch.waitAll(Number(options.timeout));
    watch.close();
    if (options.json) {
      const sagas = watch.all().map((p) => ({ sagaId: p.sagaId, outcome: sagaOutcome(p.events.map((e) => e.type)), events: p.events.map((e) => e.type), ms: p.finishedAt ? p.finishedAt - p.startedAt : null }));
      console.log(JSON.stringify({ sagaId, accepted: true, finished, sagas }, null, 2));
    } else console.log(formatSagaTable(watch.all()));
    if (!finished) {
      console.error(`saga ${sagaId} not finished after ${options.timeout} ms (are the services running?)`);
      process.exitCode = 1;
    }
  });
}

/** A new saga id with a readable prefix: `t-m3x1k2ab`. */
export function newSagaId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
