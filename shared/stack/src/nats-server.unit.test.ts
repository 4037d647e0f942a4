import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findNatsServer, NatsServerNotFound } from './nats-server.js';

describe('finding nats-server', () => {
  it('prefers NATS_SERVER_BIN when it is executable', () => {
    assert.equal(findNatsServer({ NATS_SERVER_BIN: process.execPath, PATH: '' }, []), process.execPath);
  });

  it('says how to get one when there is none', () => {
    assert.throws(
      () => findNatsServer({ NATS_SERVER_BIN: '/nonexistent/nats-server', PATH: '/nonexistent' }, []),
      (err: unknown) => err instanceof NatsServerNotFound && /apt-get install nats-server/.test(err.message) && /docker compose -f infra\/compose.yaml up -d nats/.test(err.message),
    );
  });
});
