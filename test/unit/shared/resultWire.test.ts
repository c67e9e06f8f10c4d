/**
 * What the webview receives: the engine's result cut to a channel window and sent as typed arrays must read back
 * as exactly the engine's figures for those channels, and every message must stay under 1 MB whatever the tensor.
 */
import * as assert from 'node:assert/strict';
import { inspect, type ElementSource } from '../../../src/engine/inspect/inspect';
import { DEFAULT_INSPECT_OPTIONS, type InspectOptions, type InspectResult } from '../../../src/engine/inspect/types';
import type { ResultMessage } from '../../../src/shared/protocol';
import {
  MAX_WINDOW_CHANNELS, channelWindow, decodeResult, encodeResult, payloadBytes, unwindowOptions, windowOptions,
} from '../../../src/shared/resultWire';

const MB = 1 << 20;

/** Seeded values; channel c of axis `axis` is shifted by c so that channels differ, with a NaN and a dead channel. */
function source(shape: number[]): ElementSource {
  const total = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(total);
  let s = 7;
  for (let i = 0; i < total; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32 + (i % 97) * 0.01;
  }
  x[5] = NaN;
  return { shape, dtype: 'float32', async *chunks() { yield x; } };
}

async function run(shape: number[], options: Partial<InspectOptions>): Promise<InspectResult> {
  return inspect(source(shape), { ...DEFAULT_INSPECT_OPTIONS, ...options });
}

function message(r: InspectResult, first = 0): ResultMessage {
  const tensor = { name: '', shape: r.shape, dtype: r.dtype, order: 'C' as const, byteLength: 0 };
  return { type: 'result', requestId: 1, tensor, result: encodeResult(r, channelWindow(r.channels, first)), partial: false };
}

/** What arrives in the webview: JSON for the plain parts (VS Code's channel), typed arrays intact. */
function throughVsCode<T>(m: T): T {
  const views: ArrayBufferView[] = [];
  const json = JSON.stringify(m, (_k, v: unknown) => (ArrayBuffer.isView(v) ? { $view: views.push(v) - 1 } : v));
  return JSON.parse(json, (_k, v: unknown) => (v !== null && typeof v === 'object' && '$view' in v ? views[(v as { $view: number }).$view] : v)) as T;
}

describe('result wire format (src/shared/resultWire.ts)', () => {
  it('a result with fewer channels than a window reads back equal to the engine\'s, NaN included', async () => {
    const r = await run([4, 16, 5, 5], { op: 'batchnorm', channelAxis: 1 });
    assert.equal(r.channel.before[0].nan, 1);
    const back = decodeResult(encodeResult(r, channelWindow(16, 0)));
    assert.deepStrictEqual(back, r);
  });

  it('a later window holds exactly the engine\'s figures of its channels, renumbered from 0', async () => {
    const r = await run([2, 3000, 3], { op: 'batchnorm', channelAxis: 1 });
    const w = channelWindow(r.channels, 2500);
    assert.deepEqual(w, { start: 3000 - MAX_WINDOW_CHANNELS, count: MAX_WINDOW_CHANNELS, total: 3000 });
    const back = decodeResult(throughVsCode(message(r, 2500)).result);
    assert.equal(back.channels, MAX_WINDOW_CHANNELS);
    for (const c of [0, 1, 700, MAX_WINDOW_CHANNELS - 1]) {
      assert.deepStrictEqual(back.channel.before[c], r.channel.before[w.start + c]);
      assert.deepStrictEqual(back.channel.after![c], r.channel.after![w.start + c]);
      assert.deepStrictEqual(back.channel.histBefore[c], r.channel.histBefore[w.start + c]);
      assert.deepStrictEqual(back.channel.histAfter![c], r.channel.histAfter![w.start + c]);
    }
    // (sample, channel) moments: row-major rows × window channels
    const s = r.samples!;
    assert.equal(back.samples!.rows, s.rows);
    assert.equal(back.samples!.mean[1 * MAX_WINDOW_CHANNELS + 3], s.mean[1 * 3000 + w.start + 3]);
    assert.deepStrictEqual(back.overall, throughVsCode(r.overall));
  });

  it('findings keep their text; only those about channels in the window link to a channel, renumbered', () => {
    const r = {
      channels: 3000, options: DEFAULT_INSPECT_OPTIONS, samples: null,
      channel: { before: [], after: null, histBefore: [], histAfter: null },
      diagnostics: [
        { severity: 'warning', code: 'constant', channel: 10, message: 'Channel 10 is constant' },
        { severity: 'warning', code: 'constant', channel: 2100, message: 'Channel 2100 is constant' },
        { severity: 'info', code: 'small-batch', message: 'batch of 2' },
      ],
    } as unknown as InspectResult;
    // a window from 2048 would pass the end: it is the last 1024 channels, from 1976
    assert.deepEqual(encodeResult(r, channelWindow(3000, 2048)).diagnostics, [
      { severity: 'warning', code: 'constant', message: 'Channel 10 is constant' },
      { severity: 'warning', code: 'constant', channel: 2100 - (3000 - 1024), message: 'Channel 2100 is constant' },
      { severity: 'info', code: 'small-batch', message: 'batch of 2' },
    ]);
  });

  for (const [what, shape, options] of [
    ['BatchNorm, 256 channels', [8, 256, 16, 16], { op: 'batchnorm', channelAxis: 1 }],
    ['BatchNorm, 1024 channels', [4, 1024, 8, 8], { op: 'batchnorm', channelAxis: 1 }],
    ['LayerNorm over 4096 features, per-feature view', [4, 64, 4096], { op: 'layernorm', channelAxis: 2, normalizedDims: 1 }],
    ['GroupNorm, 16384 channels', [2, 16384, 4], { op: 'groupnorm', channelAxis: 1, groups: 32 }],
    ['statistics of 100,000 channels', [2, 100000], { op: 'none', channelAxis: 1 }],
  ] as const) {
    it(`one result message stays under 1 MB: ${what}`, async () => {
      const r = await run([...shape], options as Partial<InspectOptions>);
      const bytes = payloadBytes(message(r));
      assert.ok(bytes < MB, `${bytes} bytes`);
      // the bound is the window's, not the tensor's: the same for any window
      assert.ok(payloadBytes(message(r, r.channels)) < MB);
    });
  }

  it('payloadBytes counts JSON plus every whole buffer behind typed arrays', () => {
    const big = new Float64Array(1000);
    assert.equal(payloadBytes({ a: 1 }), JSON.stringify({ a: 1 }).length);
    assert.ok(payloadBytes({ v: big.subarray(0, 2) }) > 8000, 'a view sends its whole buffer');
    assert.ok(payloadBytes({ v: big, w: big }) < 2 * 8000, 'a buffer is sent once');
  });

  it('per-channel options are cut to the window and pasted back over the whole ones', () => {
    const total = 2500;
    const full: InspectOptions = {
      ...DEFAULT_INSPECT_OPTIONS,
      affine: { scale: Array.from({ length: total }, (_, c) => c), bias: Array.from({ length: total }, (_, c) => -c) },
      running: { mean: Array.from({ length: total }, (_, c) => c / 10), var: new Array<number>(total).fill(2) },
    };
    const w = channelWindow(total, 1024);
    const cut = windowOptions(full, w);
    assert.deepEqual(cut.affine!.scale.slice(0, 2), [1024, 1025]);
    assert.equal(cut.running!.mean.length, MAX_WINDOW_CHANNELS);
    // the page moved γ of its channel 3 (channel 1027) and sends its window back
    const edited = { ...cut, affine: { scale: cut.affine!.scale.map((g, i) => (i === 3 ? 0.5 : g)), bias: cut.affine!.bias } };
    const whole = unwindowOptions(edited, full, w);
    assert.equal(whole.affine!.scale.length, total);
    assert.equal(whole.affine!.scale[1027], 0.5);
    assert.equal(whole.affine!.scale[2400], 2400);
    assert.deepEqual(whole.running, full.running);
    // sliders on a tensor whose options had no γ/β: channels outside the window keep the identity
    const fresh = unwindowOptions({ ...DEFAULT_INSPECT_OPTIONS, affine: { scale: new Array<number>(1024).fill(2), bias: new Array<number>(1024).fill(1) } },
      DEFAULT_INSPECT_OPTIONS, w);
    assert.deepEqual([fresh.affine!.scale[0], fresh.affine!.bias[0], fresh.affine!.scale[1024], fresh.affine!.bias[2047]], [1, 0, 2, 1]);
  });

  it('a window start is clamped to the channels there are', () => {
    assert.deepEqual(channelWindow(10, 5), { start: 0, count: 10, total: 10 });
    assert.deepEqual(channelWindow(5000, -3), { start: 0, count: 1024, total: 5000 });
    assert.deepEqual(channelWindow(5000, 1e9), { start: 5000 - 1024, count: 1024, total: 5000 });
    assert.deepEqual(channelWindow(0, 0), { start: 0, count: 0, total: 0 });
  });
});
