/** Files holding several tensors: pick one, or open a normalization layer with its γ, β and running statistics. */
import type { InitMessage, NormLayerInfo } from '../../src/shared/protocol';
import { button, h } from '../dom';
import { fmtBytes, shapeText } from '../../src/shared/format';

export interface PickerActions {
  openTensor(name: string): void;
  openLayer(prefix: string): void;
}

const ROLES: ReadonlyArray<[keyof NormLayerInfo, string]> = [
  ['weight', 'weight'], ['bias', 'bias'], ['runningMean', 'running_mean'], ['runningVar', 'running_var'], ['numBatchesTracked', 'num_batches_tracked'],
];

export function pickerView(init: InitMessage, actions: PickerActions): HTMLElement {
  const tensors = h('ul', { class: 'tensor-list', id: 'tensor-list' }, ...init.tensors.map((t) => h('li', {},
    button(t.name || '(unnamed)', () => actions.openTensor(t.name), { class: 'link', 'data-tensor': t.name }),
    h('span', { class: 'muted' }, ` ${shapeText(t.shape)} ${t.dtype}, ${fmtBytes(t.byteLength)}`))));
  const layers = init.layers.length ? h('section', { 'aria-labelledby': 'layers-title' },
    h('h3', { id: 'layers-title' }, 'Normalization layers'),
    h('table', { class: 'stats', id: 'layer-table' },
      h('thead', {}, h('tr', {}, ...['layer', 'kind', 'framework', 'channels', 'tensors', 'redundant bias', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...init.layers.map((l) => h('tr', { 'data-prefix': l.prefix },
        h('td', {}, l.prefix),
        h('td', {}, l.kind),
        h('td', {}, l.framework),
        h('td', {}, String(l.channels)),
        h('td', {}, ROLES.filter(([k]) => l[k] !== undefined).map(([, name]) => name).join(', ')),
        h('td', { class: l.redundantBias ? 'bad' : null }, l.redundantBias ? `${l.redundantBias} (a bias before BatchNorm is cancelled by its mean)` : '—'),
        h('td', {}, button('Open', () => actions.openLayer(l.prefix), { 'aria-label': `Open layer ${l.prefix}` }))))))) : null;
  return h('section', { class: 'picker', 'aria-labelledby': 'picker-title' },
    h('h2', { id: 'picker-title' }, `${init.source.label}: ${init.tensors.length} tensors`),
    layers,
    h('h3', {}, 'Tensors'),
    tensors);
}
