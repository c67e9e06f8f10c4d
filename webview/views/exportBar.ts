/** Export buttons: statistics as CSV or JSON, the normalized tensor as .npy (the host saves, with a dialog). */
import { button, h } from '../dom';

export interface ExportActions {
  statistics(format: 'csv' | 'json'): void;
  normalizedTensor(): void;
}

export function exportBarView(actions: ExportActions, canExportTensor: boolean, status: HTMLElement): HTMLElement {
  return h('section', { class: 'export', 'aria-labelledby': 'export-title' },
    h('h3', { id: 'export-title' }, 'Export'),
    h('div', { class: 'row' },
      button('Statistics as CSV', () => actions.statistics('csv'), { id: 'export-csv' }),
      button('Statistics as JSON', () => actions.statistics('json'), { id: 'export-json' }),
      canExportTensor ? button('Normalized tensor as .npy', actions.normalizedTensor, { id: 'export-npy' }) : null),
    h('p', { class: 'note' }, 'Each chart has its own PNG button. Files are saved through a save dialog, never over an existing file without asking.'),
    status);
}
