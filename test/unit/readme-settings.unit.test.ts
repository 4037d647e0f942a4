import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SETTINGS_BEGIN, SETTINGS_END } from '@jetsaga/messaging/ops';
import { renderSettingsDoc, settingsCatalog } from '@jetsaga/stack';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the settings table in README.md', () => {
  it('is exactly what the settings schemas render (run `npm run settings:doc` after changing a setting)', () => {
    const start = readme.indexOf(SETTINGS_BEGIN);
    const end = readme.indexOf(SETTINGS_END);
    assert.ok(start >= 0 && end > start, 'README.md has the settings markers');
    assert.equal(readme.slice(start, end + SETTINGS_END.length), renderSettingsDoc());
  });

  it('every setting the project owns is JETSAGA_*; only NATS_*, OTEL_* and LOG_LEVEL keep their ecosystems\' names', () => {
    for (const s of settingsCatalog().specs) {
      assert.match(s.name, /^(JETSAGA_[A-Z0-9_<>]+|NATS_[A-Z_]+|OTEL_[A-Z_]+|LOG_LEVEL)$/, s.name);
      for (const old of s.deprecated) assert.ok(!old.startsWith('JETSAGA_'), `${s.name}: a former name ${old} without the prefix`);
    }
  });

  it('each variable is described once, with a description', () => {
    const names = settingsCatalog().specs.flatMap((s) => [s.name, ...s.deprecated]);
    assert.equal(new Set(names).size, names.length, 'no name (or former name) twice');
    for (const s of settingsCatalog().specs) assert.ok(s.description.length > 10, s.name);
  });

  it('says that payment defaults to synchronous=FULL', () => {
    assert.match(readme, /\| `JETSAGA_SQLITE_SYNCHRONOUS` \|[^\n]*\| `NORMAL`; payment: `FULL`[^|]*\|/);
  });
});
