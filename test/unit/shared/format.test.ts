/** fmtInt groups digits itself (format.ts says why): it must read exactly as toLocaleString('en-US') does. */
import * as assert from 'node:assert/strict';
import { fmtInt } from '../../../src/shared/format';

describe('fmtInt', () => {
  it('writes integers as toLocaleString("en-US") does, signs and the largest safe integers included', () => {
    const values = [0, 7, 999, 1000, 65536, 26214400, -1, -1000, -123456, 1e15, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (let digits = 1; digits <= 16; digits++) values.push(10 ** digits - 1, 10 ** digits, -(10 ** digits) + 1);
    for (const n of values) assert.equal(fmtInt(n), n.toLocaleString('en-US'), String(n));
  });

  it('leaves what is not a safe integer to toLocaleString', () => {
    for (const n of [1.5, 2 ** 60, 1e22, Infinity]) assert.equal(fmtInt(n), n.toLocaleString('en-US'));
  });
});
