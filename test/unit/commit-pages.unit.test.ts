import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { walFramesPerSaga } from '../bench/ceiling-local.js';

/**
 * Every b-tree a commit touches is at least one more page in it (docs/architecture.md, "The
 * kit's tables"). The count is the bench's `pages` figure on a smaller table: it measures
 * work, not time, so a step that writes one more table or index shows here however fast the
 * machine is. 63.8 frames a saga when written (82.7 before the tables lost their second
 * b-trees and the outbox and step log their AUTOINCREMENT).
 */
describe("a saga's commits", () => {
  it('write at most 66 WAL pages, one saga a transaction, on the kit and services tables as they are', () => {
    // given the order saga's three service dbs, 500 sagas in
    // when 200 more sagas run, one a transaction, their checkpoints held back
    const frames = walFramesPerSaga({ sagas: 200, warmSagas: 500 });
    // then their commits wrote no more pages a saga than the tables' shape allows
    assert.ok(frames <= 66, `${frames.toFixed(2)} WAL frames a saga`);
    assert.ok(frames > 40, `${frames.toFixed(2)} WAL frames a saga: fewer than the five steps' own rows can write`);
  });
});
