/**
 * The histogram kernels' SIMD path against the TypeScript loop (histogram.ts's binInto, numpy's binning) on the data
 * that takes its special turns: repeated minima (counted in bin 0 without the scalar code), repeated maxima and
 * spikes in one bin (many increments of one count), values outside the range (counted in the discard word), NaN and
 * ±Inf, values on and next to every edge (taken back and binned by the scalar code), in float32 and float64 tables of
 * one to 70000 bins, with lengths that leave every remainder of the eight-value and four-value steps.
 */
import * as assert from 'node:assert/strict';
import { GroupHistograms, histogramRange } from '../../../src/engine/histogram';
import type { GroupMap } from '../../../src/engine/moments';
import { Kernels } from '../../../src/engine/wasm/kernels';
import { seeded } from '../helpers';

const f32 = Math.fround;
/** The float32 next to x (x a float32) in the direction of `to`. */
function nextF32(x: number, to: number): number {
  const bits = new Float32Array([x]);
  const int = new Int32Array(bits.buffer);
  if (x === 0) return to > 0 ? 2 ** -149 : -(2 ** -149);
  int[0] += (x < to) === (x > 0) ? 1 : -1;
  return bits[0];
}

/** Values of one kind over [lo, hi] (float32 numbers), n of them. */
function dataOf(kind: string, n: number, lo: number, hi: number, bins: number, seed: number): Float32Array {
  const rand = seeded(seed);
  const inside = () => f32(lo + rand() * (hi - lo));
  const step = (hi - lo) / bins;
  return Float32Array.from({ length: n }, (_, i) => {
    const r = rand();
    switch (kind) {
      case 'repeated minimum': return r < 0.6 ? lo : inside();
      case 'repeated maximum': return r < 0.6 ? hi : inside();
      case 'one bin': return r < 0.9 ? f32(lo + 2.5 * step) : inside();
      case 'outside and non-finite': {
        // and 2^30 bins away, where a bin's byte offset 4·fl would wrap around to the table's first bins
        const wrap = [lo + (2 ** 30 + 1000.5) * step, lo - (2 ** 30 - 999.5) * step];
        const special = [NaN, Infinity, -Infinity, -1e30, 1e30, nextF32(lo, -Infinity), nextF32(hi, Infinity), lo - (hi - lo), hi + (hi - lo), 0, -0, ...wrap];
        return r < 0.5 ? special[i % special.length] : inside();
      }
      case 'on and next to edges': {
        const edge = f32(lo + Math.floor(rand() * (bins + 1)) * step);
        const v = r < 1 / 3 ? edge : r < 2 / 3 ? nextF32(edge, -Infinity) : nextF32(edge, Infinity);
        return Math.min(hi, Math.max(lo, v));
      }
      default: throw new Error(kind);
    }
  });
}

const KINDS = ['repeated minimum', 'repeated maximum', 'one bin', 'outside and non-finite', 'on and next to edges'];

describe('histogram kernels: special data, bit for bit the TypeScript counts', () => {
  before(function () {
    if (!Kernels.create()) this.skip(); // no WebAssembly SIMD here: the TypeScript path is all there is
  });

  // [lo, hi] of float32 numbers (the float32 variants), one starting at a float64 (the float64 variants); above
  // 2^16 bins the float64 variants bin float32 ranges too
  const ranges: [string, [number, number]][] = [['float32', [-2, 3]], ['float64', [-2 - 1 / 3, 3]], ['around zero', [0, f32(0.7)]]];
  for (const [rangeName, range] of ranges) {
    for (const kind of KINDS) {
      it(`${kind}, a ${rangeName} range`, () => {
        const kernels = Kernels.create()!;
        for (const bins of [1, 7, 1008, 4000, 70000]) {
          // runs shorter than KERNEL_MIN_RUN stay in the TypeScript loop; these leave 0-7 values after the eight-value steps
          for (const n of [17, 1000, 1004, 1005, 1007, 4099, 4103]) {
            const [lo, hi] = range;
            const data = dataOf(kind, n, f32(lo) === lo ? lo : f32(lo + 1e-3), hi, bins, bins + n);
            const all: GroupMap = { run: n, mod: 0 };
            const fast = new GroupHistograms(1, bins, [range], kernels).add(data, 0, all);
            const ref = new GroupHistograms(1, bins, [range]).add(data, 0, all);
            assert.deepEqual(Array.from(fast.counts), Array.from(ref.counts), `${bins} bins, ${n} values`);
            // beside a second table over another range: the whole tensor's beside a channel's
            const wider = histogramRange(range[0] - 1, range[1] + 0.5);
            const a = new GroupHistograms(1, bins, [range], kernels);
            const b = new GroupHistograms(1, 4000, [wider], kernels, 40);
            GroupHistograms.addBoth(a, b, data, 0, all);
            assert.deepEqual(Array.from(a.counts), Array.from(ref.counts), `${bins} bins beside 4000, ${n} values`);
            assert.deepEqual(Array.from(b.counts), Array.from(new GroupHistograms(1, 4000, [wider], null, 40).add(data, 0, all).counts),
              `4000 bins beside ${bins}, ${n} values`);
          }
        }
        kernels.release();
      });
    }
  }

  it('values outside one group\'s table count in its discard word, never in the next group\'s first bin', () => {
    const kernels = Kernels.create()!;
    const map: GroupMap = { run: 100, mod: 3 };
    // each group's range is [g, g + 1]; every group also gets values above its range (inside the next one's, and far)
    const above = [1e-3, 0.04, 0.3, 1.5, 1e6, 1e30, Infinity];
    const data = Float32Array.from({ length: 3000 }, (_, i) => {
      const g = Math.floor(i / 100) % 3;
      return i % 2 ? g + 1 + above[i % above.length] : g + (i % 97) / 97;
    });
    const ranges: [number, number][] = [[0, 1], [1, 2], [2, 3]];
    const fast = new GroupHistograms(3, 24, ranges, kernels).add(data, 0, map).add(data, 0, map);
    const ref = new GroupHistograms(3, 24, ranges).add(data, 0, map).add(data, 0, map);
    assert.deepEqual(Array.from(fast.counts), Array.from(ref.counts));
    for (let g = 0; g < 3; g++) assert.deepEqual(fast.histogram(g), ref.histogram(g), `group ${g}`);
    kernels.release();
  });
});
