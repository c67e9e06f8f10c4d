/**
 * Tensors with more channels than the host sends at once (resultWire.ts): which channels the page shows, and the
 * way to the others. Moving asks the host again; it answers from the result it keeps, without recomputing.
 */
import type { ChannelWindow } from '../../src/shared/resultWire';
import { fmtInt } from '../../src/shared/format';
import { button, h } from '../dom';

export function channelWindowView(w: ChannelWindow, show: (firstChannel: number) => void): HTMLElement {
  const last = w.start + w.count - 1;
  const first = h('input', { id: 'window-first', type: 'number', min: 0, max: w.total - 1, step: 1, value: w.start, 'aria-label': 'First channel to show' });
  first.addEventListener('change', () => {
    const v = Number(first.value);
    if (Number.isInteger(v) && v >= 0 && v < w.total) show(v);
  });
  const previous = button('Previous channels', () => show(Math.max(0, w.start - w.count)), { id: 'window-previous' });
  const next = button('Next channels', () => show(w.start + w.count), { id: 'window-next' });
  previous.disabled = w.start === 0;
  next.disabled = last >= w.total - 1;
  return h('div', { class: 'row channel-window', id: 'channel-window', role: 'group', 'aria-label': 'Channel window' },
    h('span', { id: 'window-range' }, `Channels ${fmtInt(w.start)}–${fmtInt(last)} of ${fmtInt(w.total)} are shown (per-channel figures are sent ${fmtInt(w.count)} at a time; the overall figures and the findings cover every channel).`),
    previous, next, h('label', {}, 'from channel ', first));
}
