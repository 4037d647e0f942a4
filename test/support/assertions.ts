import assert from 'node:assert/strict';

/** Every event but the first was caused by an earlier event of the same saga. */
export function assertCausalChain(envelopes: { id: string; causationId: string | null; correlationId: string | null }[]): void {
  const seen = new Set<string>();
  const root = envelopes[0]!;
  for (const [i, e] of envelopes.entries()) {
    if (i > 0) assert.ok(e.causationId && seen.has(e.causationId), `event ${i} is caused by an earlier event`);
    assert.equal(e.correlationId, root.correlationId, 'one correlation id for the whole saga');
    seen.add(e.id);
  }
}

/** The value of the Prometheus sample `name` whose labels include `labels` (label order does not matter). */
export function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}
