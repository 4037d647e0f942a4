import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { kitMetricNames } from '@jetsaga/messaging/ops';

const infra = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'infra');

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rulesFile = parse(readFileSync(join(infra, 'alerts.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
const rules = rulesFile.groups.flatMap((g) => g.rules);

/** A histogram is exported as <name>_bucket, _sum and _count. */
function exported(names: readonly string[], metric: string): boolean {
  return names.includes(metric) || names.includes(metric.replace(/_(bucket|sum|count)$/, ''));
}

describe('Prometheus alert rules (infra/alerts.yml)', () => {
  it('covers a stream near its limit, dead letters, consumer lag and the outbox backlog', () => {
    const exprs = rules.map((r) => r.expr ?? '').join('\n');
    for (const metric of ['jetsaga_stream_max_bytes', 'jetsaga_stream_messages{stream="DLQ"}', 'jetsaga_consumer_pending_messages', 'jetsaga_outbox_oldest_unsent_seconds']) {
      assert.ok(exprs.includes(metric), `no rule uses ${metric}`);
    }
  });

  it('each rule is an alert with an expression, a severity and a summary', () => {
    assert.ok(rules.length > 0);
    const names = new Set<string>();
    for (const r of rules) {
      assert.ok(r.alert && /^Jetsaga[A-Za-z]+$/.test(r.alert), `alert name: ${JSON.stringify(r)}`);
      assert.ok(!names.has(r.alert), `${r.alert} twice`);
      names.add(r.alert);
      assert.ok(r.expr && r.expr.trim().length > 0, `${r.alert}: no expr`);
      assert.ok(['info', 'warning', 'critical'].includes(r.labels?.severity ?? ''), `${r.alert}: severity`);
      assert.ok(r.annotations?.summary, `${r.alert}: no summary`);
      if (r.for !== undefined) assert.match(r.for, /^\d+[smhd]$/, `${r.alert}: for`);
    }
  });

  it('each rule names only metrics the kit exports', async () => {
    const names = await kitMetricNames();
    for (const r of rules) {
      const used = [...(r.expr ?? '').matchAll(/\b(jetsaga_[a-z0-9_]+)/g)].map((m) => m[1]!);
      assert.ok(used.length > 0, `${r.alert} names no jetsaga metric`);
      for (const metric of used) assert.ok(exported(names, metric), `${r.alert}: ${metric} is not exported (known: ${names.filter((n) => n.startsWith('jetsaga_')).join(', ')})`);
    }
  });

  it('is referenced from infra/prometheus.yml and mounted beside it in compose', () => {
    const prometheus = parse(readFileSync(join(infra, 'prometheus.yml'), 'utf8')) as { rule_files?: string[] };
    assert.ok(prometheus.rule_files?.includes('alerts.yml'), 'prometheus.yml rule_files');
    for (const file of prometheus.rule_files ?? []) assert.ok(existsSync(join(infra, file)), `${file} (rule_files) does not exist`);
    const compose = parse(readFileSync(join(infra, 'compose.yaml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
    assert.ok(compose.services.prometheus?.volumes?.includes('./alerts.yml:/etc/prometheus/alerts.yml:ro'), 'compose mounts alerts.yml beside prometheus.yml');
  });
});
