import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, NatsServer, repoRoot, ServiceProcess, waitFor } from '@jetsaga/stack';

/**
 * Honest startup: settings parsed at start (a bad one is one line and exit code 1), one
 * writer per db, /healthz from the first moment, /readyz only while the service can work.
 * Each service here is a process of its own against a broker this file starts (no stack).
 */
const external = process.env.NATS_URL ? 'starts and kills its own nats-server (NATS_URL is set)' : false;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-startup-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  if (process.env.JETSAGA_KEEP_TEST_DATA !== '1') for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The env of a service process of this file: nothing of the runner's jetsaga settings. */
function serviceEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(JETSAGA_|NATS_(?!SERVER_BIN)|METRICS_|OTEL_)/.test(k)) env[k] = v;
  return { ...env, LOG_LEVEL: 'info', ...extra };
}

/** Runs `jetsaga run <service>` to its end. */
function jetsagaRun(service: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(`${repoRoot}node_modules/.bin/jetsaga`, ['run', service], { cwd: repoRoot, env: serviceEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A service process whose log lines are kept (parsed when JSON). */
function serviceProcess(service: string, env: NodeJS.ProcessEnv): { proc: ServiceProcess; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const proc = new ServiceProcess({
    service,
    env: serviceEnv(env),
    readyTimeoutMs: 60_000,
    onLine: (_s, line) => {
      if (process.env.JETSAGA_TEST_LOGS === '1') console.error(`[${service}] ${line}`);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    },
  });
  return { proc, lines };
}

async function probe(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('a bad setting', () => {
  it('is one log line naming the variable and what it wants, and exit code 1 (jetsaga run)', async () => {
    // given a service whose deadline is not a number, and a kit setting that is not a mode
    const { code, stdout, stderr } = await jetsagaRun('order', {
      JETSAGA_ORDER_DEADLINE_MS: 'abc',
      JETSAGA_SQLITE_SYNCHRONOUS: 'fast',
      JETSAGA_DATA_DIR: tempDir(),
      NATS_URL: 'nats://127.0.0.1:1',
    });
    // then it stops at once: one line, no stack trace
    assert.equal(code, 1);
    assert.equal(stderr.trim(), '');
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1, stdout);
    const line = JSON.parse(lines[0]!) as { level: number; msg: string; settings: string[]; err?: unknown };
    assert.equal(line.level, 60);
    assert.equal(line.err, undefined);
    assert.match(line.msg, /^invalid settings: /);
    assert.ok(line.msg.includes('JETSAGA_ORDER_DEADLINE_MS must be an integer >= 1 (ms), not "abc"'), line.msg);
    assert.ok(line.msg.includes('JETSAGA_SQLITE_SYNCHRONOUS must be one of NORMAL, FULL, OFF, not "fast"'), line.msg);
    assert.deepEqual(line.settings.sort(), ['JETSAGA_ORDER_DEADLINE_MS', 'JETSAGA_SQLITE_SYNCHRONOUS']);
  });

  it('set under its former name is named so, with its new name', async () => {
    const { code, stdout } = await jetsagaRun('inventory', { STOCK_RELEASE_DELAY_MS: '-5', JETSAGA_DATA_DIR: tempDir(), NATS_URL: 'nats://127.0.0.1:1' });
    assert.equal(code, 1);
    assert.match(stdout, /STOCK_RELEASE_DELAY_MS \(now JETSAGA_STOCK_RELEASE_DELAY_MS\) must be an integer >= 0 \(ms\), not \\"-5\\"/);
  });
});

describe('one writer per service db', { skip: external }, () => {
  let nats: NatsServer;
  before(async () => {
    nats = await NatsServer.start({ storeDir: join(tempDir(), 'nats') });
  });
  after(() => nats?.stop());

  it('a second process on the same db refuses, naming the first; after a SIGKILL of the first it starts at once', async () => {
    // given order running on its db
    const env = { NATS_URL: nats.url, JETSAGA_DATA_DIR: tempDir() };
    const first = serviceProcess('order', env);
    await first.proc.start();
    try {
      // when a second order process starts on the same db
      const second = serviceProcess('order', env);
      await assert.rejects(second.proc.start(), /exited with 1 before it was ready/);
      // then it said which process holds the db, in one line, and touched nothing
      const refusal = second.lines.find((l) => l.level === 60);
      assert.ok(refusal, JSON.stringify(second.lines));
      assert.equal(refusal.code, 'db_locked');
      assert.match(String(refusal.msg), new RegExp(`order\\.db is in use by pid ${first.proc.pid} on \\S+ \\(order\\), since \\d{4}-\\d\\d-\\d\\dT`));
      assert.equal(refusal.err, undefined);
      // when the first dies by SIGKILL (it cannot clean up), the next one starts right away
      await first.proc.kill();
      await second.proc.start();
      await second.proc.stop();
    } finally {
      await first.proc.kill();
    }
  });
});

describe('readiness', { skip: external }, () => {
  it('/healthz is 200 at once; /readyz is 503 until the broker is up and the consumers bound, and while the broker is down', async () => {
    // given a broker that is not there yet, and inventory started against it (METRICS_PORT:
    // the former name of JETSAGA_METRICS_PORT, still read, with a warning)
    const [natsPort, metricsPort] = [await freePort(), await freePort()];
    const { proc, lines } = serviceProcess('inventory', { NATS_URL: `nats://127.0.0.1:${natsPort}`, JETSAGA_DATA_DIR: tempDir(), METRICS_PORT: String(metricsPort) });
    const started = proc.start();
    started.catch(() => {});
    let nats: NatsServer | undefined;
    try {
      // then the process is alive and says it is not ready, and why
      await waitFor(async () => (await probe(metricsPort, '/healthz')).status === 200, { timeoutMs: 30_000, what: '/healthz 200' });
      const down = await probe(metricsPort, '/readyz');
      assert.equal(down.status, 503);
      const reasons = (JSON.parse(down.body) as { problems: string[] }).problems;
      assert.ok(reasons.includes('nats not connected yet'), down.body);
      assert.ok(reasons.some((r) => r.startsWith('consumers not bound (0 of ')), down.body);
      assert.equal((await probe(metricsPort, '/metrics')).status, 503);
      assert.ok(
        lines.some((l) => l.level === 40 && l.setting === 'METRICS_PORT' && l.use === 'JETSAGA_METRICS_PORT' && String(l.msg).startsWith('METRICS_PORT is deprecated: set JETSAGA_METRICS_PORT instead')),
        'the former name is read with a warning naming the new one',
      );

      // when the broker comes up
      nats = await NatsServer.start({ storeDir: join(tempDir(), 'nats'), port: natsPort });
      await started;
      // then it is ready
      const up = await probe(metricsPort, '/readyz');
      assert.equal(up.status, 200, up.body);
      assert.deepEqual(JSON.parse(up.body), { ready: true, problems: [] });
      assert.equal((await probe(metricsPort, '/metrics')).status, 200);

      // when the broker dies
      await nats.kill('SIGKILL');
      // then it is alive but not ready, until the broker is back
      const gone = await waitFor(
        async () => {
          const r = await probe(metricsPort, '/readyz');
          return r.status === 503 ? r : undefined;
        },
        { timeoutMs: 15_000, what: '/readyz 503 after the broker died' },
      );
      assert.deepEqual(JSON.parse(gone.body), { ready: false, problems: ['nats disconnected (reconnecting)'] });
      assert.equal((await probe(metricsPort, '/healthz')).status, 200);
      await nats.start();
      await waitFor(async () => (await probe(metricsPort, '/readyz')).status === 200, { timeoutMs: 30_000, what: '/readyz 200 after the broker came back' });
    } finally {
      await proc.stop();
      await nats?.stop();
    }
  });
});
