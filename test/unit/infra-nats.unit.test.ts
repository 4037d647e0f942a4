import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nkeys } from 'nats';
import { findNatsServer, identityPermissions, infraNatsConfigs, nkeyVariable, repoRoot, serviceDefinitions } from '@jetsaga/stack';

/** infra/nats is generated from the same source as the local stack's permissions, and nats-server accepts it. */
describe('infra/nats configs', () => {
  const generated = infraNatsConfigs(Object.values(serviceDefinitions));
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-infra-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are what `jetsaga infra nats-config` writes today (no drift)', () => {
    for (const [file, text] of Object.entries(generated)) {
      assert.equal(readFileSync(join(repoRoot, 'infra', 'nats', file), 'utf8'), text, `infra/nats/${file} drifted: run \`npx jetsaga infra nats-config\``);
    }
  });

  it('pass `nats-server -t` with a public key for every identity, and refuse a missing one', () => {
    const bin = findNatsServer();
    const version = /v(\d+)\.(\d+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout)!;
    // nats-server before 2.10 has no sync_interval: the configs are for 2.10+ containers.
    const known = Number(version[1]) > 2 || Number(version[2]) >= 10;
    const env = { ...process.env, ...Object.fromEntries(Object.keys(identityPermissions(Object.values(serviceDefinitions))).map((id) => [nkeyVariable(id), nkeys.createUser().getPublicKey()])) };
    for (const [file, text] of Object.entries(generated)) {
      const path = join(dir, file.replace('/', '-'));
      writeFileSync(path, known ? text : text.replace(/^\s*sync_interval: always\n/m, ''));
      const checked = spawnSync(bin, ['-t', '-c', path], { encoding: 'utf8', env });
      assert.equal(checked.status, 0, `${file}: ${checked.stderr}`);
      const { [nkeyVariable('order')]: _missing, ...withoutOrder } = env;
      assert.notEqual(spawnSync(bin, ['-t', '-c', path], { encoding: 'utf8', env: withoutOrder }).status, 0, `${file} without the order key`);
    }
  });
});
