/**
 * The tensor's axes as a row of boxes, the ones the active operation averages over highlighted: what BatchNorm
 * vs LayerNorm vs GroupNorm reduce, at a glance, with the same in words for screen readers.
 */
import type { InspectResult } from '../../src/engine/inspect/types';
import { h } from '../dom';
import { fmtInt } from '../../src/shared/format';
import { axisNames, channelCount, OP_LABELS, reducedAxes } from '../layouts';

export function axesDiagramView(r: InspectResult): HTMLElement {
  const o = r.options;
  const rank = r.shape.length;
  const names = axisNames(rank, o.channelAxis);
  const { reduced, partial } = reducedAxes(o, rank);
  const cells = r.shape.map((size, k) => h('div', {
    class: `axis${reduced[k] ? ' reduced' : ''}${partial[k] ? ' partial' : ''}`,
    'data-axis': k,
  }, h('span', { class: 'axis-name' }, names[k]), h('span', { class: 'axis-size' }, fmtInt(size))));
  const over = names.filter((_, k) => reduced[k]);
  const n = r.normalization;
  let words: string;
  if (o.op === 'none' || !n) words = 'No normalization: nothing is averaged.';
  else {
    // from the shape: the result holds one window of the channels
    const channels = channelCount(r.shape, o.channelAxis);
    const groupsWord = o.op === 'groupnorm' ? ` and groups of ${fmtInt(channels / o.groups)} channels along C` : '';
    words = `${OP_LABELS[o.op]} averages over ${over.join(', ') || 'no axis'}${groupsWord}: `
      + `${fmtInt(n.groups)} statistics groups of ${fmtInt(n.groupSize)} values each.`;
  }
  return h('section', { class: 'axes', 'aria-labelledby': 'axes-title' },
    h('h3', { id: 'axes-title' }, 'Reduced axes'),
    h('div', { class: 'axis-row', role: 'img', 'aria-label': words }, ...cells),
    h('p', { class: 'note', id: 'axes-words' }, words),
    h('p', { class: 'legend' }, h('span', { class: 'swatch reduced' }), ' averaged over ',
      o.op === 'groupnorm' ? h('span', { class: 'swatch partial' }) : null, o.op === 'groupnorm' ? ' averaged within a group ' : null,
      h('span', { class: 'swatch' }), ' kept'));
}
