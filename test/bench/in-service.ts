import { samples } from '../support/assertions.js';

/** Per `<service> <type>`: seconds spent handling messages of that type so far, and how many. */
export type HandlerTotals = Map<string, { seconds: number; count: number }>;

/** Time in a service for one message type over a window: decode, commit and ack (`jetsaga_handler_duration_seconds`). */
export interface InService {
  service: string;
  type: string;
  /** Messages of this type the service handled per saga of the window. */
  perSaga: number;
  /** Mean time from delivery to ack, ms. */
  meanMs: number;
}

/** The handler totals in one service's `/metrics` body. */
export function handlerTotalsOf(service: string, body: string, into: HandlerTotals = new Map()): HandlerTotals {
  const counts = samples(body, 'jetsaga_handler_duration_seconds_count');
  for (const s of samples(body, 'jetsaga_handler_duration_seconds_sum')) {
    const type = s.labels.type ?? '';
    const count = counts.find((c) => c.labels.type === type)?.value ?? 0;
    into.set(`${service} ${type}`, { seconds: s.value, count });
  }
  return into;
}

/** Scrapes every service's `/metrics` (`ports`: service -> its JETSAGA_METRICS_PORT). */
export async function scrapeHandlerTotals(ports: Record<string, number>): Promise<HandlerTotals> {
  const totals: HandlerTotals = new Map();
  for (const [service, port] of Object.entries(ports)) {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (!res.ok) throw new Error(`${service} /metrics answered ${res.status}`);
    handlerTotalsOf(service, await res.text(), totals);
  }
  return totals;
}

/**
 * What the services handled between two scrapes, per saga of the window, leaving out types
 * handled for fewer than one saga in `minShare` (seeding, stragglers of an earlier window).
 */
export function inServiceTimes(before: HandlerTotals, after: HandlerTotals, sagas: number, minShare = 0.05): InService[] {
  const times: InService[] = [];
  for (const [key, now] of after) {
    const was = before.get(key) ?? { seconds: 0, count: 0 };
    const count = now.count - was.count;
    if (sagas <= 0 || count / sagas < minShare) continue;
    const [service, type] = key.split(' ') as [string, string];
    times.push({ service, type, perSaga: count / sagas, meanMs: ((now.seconds - was.seconds) * 1000) / count });
  }
  return times;
}
