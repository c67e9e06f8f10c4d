/** Stops inferred from focus changes, for sessions without a tracker: the sequences debugpy and js-debug produce. */
import * as assert from 'node:assert/strict';
import { FocusStopDetector } from '../../../src/extension/debug/focusStops';

describe('debug stops from focus', () => {
  it('debugpy: the thread runs (focus on the thread), then the same frame id is focused again', () => {
    const d = new FocusStopDetector();
    d.remember('py', 1, [2, 3]);
    assert.equal(d.onFocus({ sessionId: 'py', threadId: 1, frameId: 3 }), false, 'another frame of the same stop');
    assert.equal(d.onFocus({ sessionId: 'py', threadId: 1 }), false);
    assert.equal(d.onFocus({ sessionId: 'py', threadId: 1, frameId: 2 }), true);
  });

  it('js-debug: frames are numbered anew at each stop, focus goes frame to frame', () => {
    const d = new FocusStopDetector();
    d.remember('js', 0, [0, 1, 2]);
    assert.equal(d.onFocus({ sessionId: 'js', threadId: 0, frameId: 1 }), false);
    assert.equal(d.onFocus({ sessionId: 'js', threadId: 0, frameId: 15 }), true);
  });

  it('keeps sessions apart and forgets ended ones', () => {
    const d = new FocusStopDetector();
    d.remember('a', 1, [5]);
    d.remember('b', 1, [5]);
    assert.equal(d.onFocus({ sessionId: 'b', threadId: 1, frameId: 5 }), false);
    assert.equal(d.onFocus({ sessionId: 'a', threadId: 1, frameId: 5 }), false);
    d.forget('a');
    assert.equal(d.onFocus({ sessionId: 'a', threadId: 1, frameId: 5 }), true, 'a session seen anew');
    assert.equal(d.onFocus(undefined), false);
    assert.equal(d.onFocus({ sessionId: 'b', threadId: 1, frameId: 5 }), true, 'focus came back after nothing was focused');
  });
});
