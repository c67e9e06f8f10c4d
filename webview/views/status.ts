/** Page-level states: the source-changed banner, loading with progress, and errors with Retry. */
import { button, h } from '../dom';
import { fmtPercent } from '../../src/shared/format';

export function sourceChangedBanner(deleted: boolean, onReload: () => void): HTMLElement {
  return h('div', { class: 'banner', role: 'alert', id: 'source-banner' },
    deleted ? 'The file was deleted on disk.' : 'The file changed on disk.',
    ' ', button('Reload', onReload, { id: 'reload' }));
}

export function loadingView(fraction: number | null): HTMLElement {
  const bar = h('progress', { id: 'progress', max: 1, 'aria-label': 'Computing statistics' });
  if (fraction !== null) bar.value = fraction;
  return h('div', { class: 'loading' }, bar, h('span', {}, fraction === null ? ' Computing…' : ` Computing… ${fmtPercent(fraction)}`));
}

export function errorView(message: string, onRetry: (() => void) | null): HTMLElement {
  return h('div', { class: 'error-box', role: 'alert', id: 'error' },
    h('p', { class: 'bad' }, message),
    onRetry ? button('Retry', onRetry, { id: 'retry' }) : null);
}
