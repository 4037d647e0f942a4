import Table from 'cli-table3';
import { type SagaProgress, sagaOutcome } from './saga-watch.js';

/** One row per saga: id, outcome, its events in order, time from command to last event. */
export function formatSagaTable(sagas: SagaProgress[], labels: Map<SagaProgress, string> = new Map()): string {
  const withLabel = labels.size > 0;
  // Fits an 80-column terminal: the events column takes what the others leave.
  const idWidth = Math.min(24, Math.max(8, ...sagas.map((s) => s.sagaId.length + 2)));
  const fixed = [idWidth, ...(withLabel ? [10] : []), 12, 7];
  const eventsWidth = Math.max(20, 80 - fixed.reduce((a, b) => a + b, 0) - (fixed.length + 2));
  const table = new Table({
    head: ['saga', ...(withLabel ? ['flow'] : []), 'outcome', 'events, in order', 'ms'],
    colWidths: [idWidth, ...(withLabel ? [10] : []), 12, eventsWidth, 7],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const s of sagas) {
    const types = s.events.map((e) => e.type);
    const ms = s.finishedAt ? String(s.finishedAt - s.startedAt) : '-';
    table.push([s.sagaId, ...(withLabel ? [labels.get(s) ?? ''] : []), sagaOutcome(types), types.join(' > ') || '(none yet)', ms]);
  }
  return table.toString();
}
