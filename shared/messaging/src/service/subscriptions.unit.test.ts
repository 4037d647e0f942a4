import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscriptionsOf } from './subscriptions.js';

describe('subscriptions of a service run once per instance', () => {
  it('names consumers after the instance, takes commands on its own subject, and events of an instanced producer from every instance', () => {
    assert.deepEqual(subscriptionsOf('bank-a', ['Deposit', 'TransferRequested']), [
      { type: 'Deposit', stream: 'COMMANDS', durable: 'bank-a-Deposit', filterSubject: 'cmd.bank-a.Deposit' },
      { type: 'TransferRequested', stream: 'EVENTS', durable: 'bank-a-TransferRequested', filterSubject: 'evt.transfer.TransferRequested.*' },
    ]);
    assert.deepEqual(subscriptionsOf('transfer', ['FundsFrozen']), [{ type: 'FundsFrozen', stream: 'EVENTS', durable: 'transfer-FundsFrozen', filterSubject: 'evt.*.FundsFrozen.*' }]);
  });

  it('refuses a command addressed to another service, and a name that is no service', () => {
    assert.throws(() => subscriptionsOf('transfer', ['Deposit']), /transfer cannot handle Deposit: that command is addressed to bank/);
    assert.throws(() => subscriptionsOf('bank', ['Deposit']), /"bank" is not a service name/);
  });
});
