import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONTRACT_BEGIN, CONTRACT_END, messages, renderContract } from '@jetsaga/events';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the wire contract in README.md', () => {
  it('is exactly what the schemas render (run `npm run contract` after changing a schema)', () => {
    const start = readme.indexOf(CONTRACT_BEGIN);
    const end = readme.indexOf(CONTRACT_END);
    assert.ok(start >= 0 && end > start, 'README.md has the contract markers');
    assert.equal(readme.slice(start, end + CONTRACT_END.length), renderContract());
  });

  it('documents every command and event the registry knows', () => {
    for (const m of messages) assert.ok(readme.includes(`#### ${m.type} (version ${m.version})`), `${m.type} is documented`);
  });
});
