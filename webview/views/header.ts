/** What is shown: the source, the tensor's shape, type and size, its non-finite values, and the operation in words. */
import type { InitMessage, TensorInfo } from '../../src/shared/protocol';
import type { InspectOptions, InspectResult } from '../../src/engine/inspect/types';
import { h } from '../dom';
import { fmtBytes, fmtInt, shapeText } from '../../src/shared/format';
import { channelCount, describeOperation, layoutOf, normalizedAxis } from '../layouts';

const SOURCE_KINDS: Readonly<Record<InitMessage['source']['kind'], string>> = {
  file: 'File', selection: 'Selection', debug: 'Debug variable',
};

export function headerView(init: InitMessage, tensor: TensorInfo, result: InspectResult | null, options: InspectOptions): HTMLElement {
  const rank = tensor.shape.length;
  const elements = tensor.shape.reduce((a, b) => a * b, 1);
  const axis = normalizedAxis(options.channelAxis, rank);
  const layout = layoutOf(rank, options.channelAxis) ?? (axis === null ? 'whole tensor (no channel axis)' : `channel axis ${axis}`);
  const before = result?.overall.before;
  const count = (label: string, n: number | undefined) => h('span', { class: n ? 'count bad' : 'count', 'data-count': label },
    `${label} ${n === undefined ? '—' : fmtInt(n)}`);
  // the tensor's channels, not the result's: a result holds one window of them
  const channels = channelCount(tensor.shape, options.channelAxis);
  const item = (term: string, ...value: (Node | string)[]) => h('div', { class: 'kv' }, h('dt', {}, term), h('dd', {}, ...value));
  return h('header', { class: 'header', 'aria-label': 'Tensor' },
    h('h2', { id: 'tensor-title' }, init.source.label, tensor.name ? h('span', { class: 'member' }, ` › ${tensor.name}`) : null),
    h('dl', { class: 'facts' },
      item('Source', `${SOURCE_KINDS[init.source.kind]}: `, h('span', { class: 'muted', title: init.source.detail }, init.source.detail)),
      item('Shape', shapeText(tensor.shape)),
      item('dtype', tensor.dtype + (tensor.order === 'F' ? ' (Fortran order)' : '')),
      item('Layout', layout),
      item('Elements', fmtInt(elements)),
      item('Memory', fmtBytes(tensor.byteLength)),
      item('Non-finite', count('NaN', before?.nan), ' ', count('+Inf', before?.posinf), ' ', count('-Inf', before?.neginf)),
      item('Operation', h('span', { id: 'op-words' }, describeOperation(options, tensor.shape, channels)))));
}
