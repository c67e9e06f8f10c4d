/**
 * The channel list: a grid with one row per channel, sortable by any column, filterable by channel numbers or
 * flags, navigable with the arrow keys (one Tab stop; selection follows focus, as in a listbox).
 *
 * Only the rows of the first screenful are built with the list; the others follow in the task after the next
 * frame (a timeout set from its animation callback), so that the frame showing a new result does not wait for
 * them. A row costs little, but with 256 channels building, styling and laying out the 216 rows nobody sees yet
 * was a fifth of the page's time from the result's arrival to its drawn charts (issue 8). Until they are added the
 * grid is `aria-busy`, and a key pressed in it adds them at once, so that every channel stays reachable by
 * keyboard. The price: the table sizes its columns to its contents, so they can widen by a few pixels then.
 */
import type { Ctx, View } from '../ctx';
import { afterStats, runningShift } from '../derived';
import { append, h, replaceChildren } from '../dom';
import { fmt } from '../../src/shared/format';
import type { SortKey } from '../state';

/**
 * Rows built at once: the list's 360 px box shows about 17 at VS Code's default font size, so 40 leave room for
 * smaller fonts. The rows before the selected one and 40 from it are built too: when a re-render gives the focus
 * back to it, focusing scrolls it into view.
 */
const FIRST_ROWS = 40;

interface Column {
  key: SortKey;
  label: string;
  value(c: number): number;
}

/** Filter syntax: channel numbers and ranges ("3, 10-20"), or words matched against a channel's flags ("nan", "dead"). */
function channelMatches(filter: string, channel: number, flags: string): boolean {
  const tokens = filter.toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (!tokens.length) return true;
  return tokens.some((t) => {
    const range = /^(\d+)(?:-(\d+))?$/.exec(t);
    if (range) return channel >= Number(range[1]) && channel <= Number(range[2] ?? range[1]);
    return flags.includes(t);
  });
}

export function channelListView(ctx: Ctx): View {
  const r = ctx.result;
  const before = r.channel.before;
  const shift = runningShift(r);
  const run = shift ? r.options.running : undefined;
  let after = afterStats(r, ctx.affine());
  const flags = before.map((s, c) => {
    const words: string[] = r.diagnostics.filter((d) => d.channel === c).map((d) => d.code);
    if (s.nan) words.push('nan');
    if (s.posinf || s.neginf) words.push('inf');
    if (s.count > 1 && s.var === 0) words.push('dead');
    return words.join(' ');
  });
  const columns: Column[] = [
    { key: 'channel', label: 'channel', value: (c) => ctx.channelName(c) },
    { key: 'mean', label: 'mean', value: (c) => before[c].mean },
    { key: 'std', label: 'std (ddof=0)', value: (c) => before[c].std },
    { key: 'var', label: 'var (ddof=0)', value: (c) => before[c].var },
    { key: 'min', label: 'min', value: (c) => before[c].min },
    { key: 'max', label: 'max', value: (c) => before[c].max },
    { key: 'nonfinite', label: 'NaN/Inf', value: (c) => before[c].nan + before[c].posinf + before[c].neginf },
  ];
  if (after) {
    columns.push({ key: 'afterMean', label: 'y mean', value: (c) => after!.mean[c] }, { key: 'afterStd', label: 'y std', value: (c) => after!.std[c] });
  }
  if (shift && run) {
    columns.push(
      { key: 'runningMean', label: 'running mean', value: (c) => run.mean[c] },
      { key: 'runningVar', label: 'running var', value: (c) => run.var[c] },
      { key: 'shift', label: 'shift (running std)', value: (c) => shift[c] });
  }

  const tbody = h('tbody', {});
  const rows = new Map<number, HTMLTableRowElement>();
  const filter = h('input', { id: 'channel-filter', type: 'search', placeholder: '3, 10-20, nan, dead…', value: ctx.ui.filter, 'aria-controls': 'channel-grid' });
  const countNote = h('span', { class: 'muted', 'aria-live': 'polite', id: 'channel-count' });
  const headCells = columns.map((col) => {
    const sortButton = h('button', { type: 'button', class: 'sort' }, col.label);
    sortButton.addEventListener('click', () => {
      const descending = ctx.ui.sortKey === col.key ? !ctx.ui.sortDescending : col.key !== 'channel';
      ctx.updateUi({ sortKey: col.key, sortDescending: descending });
      renderRows();
    });
    return h('th', { scope: 'col', 'data-key': col.key }, sortButton);
  });
  const table = h('table', { class: 'grid', role: 'grid', id: 'channel-grid', 'aria-label': 'Channels', 'aria-rowcount': r.channels + 1 },
    h('thead', {}, h('tr', {}, ...headCells)), tbody);

  const cellText = (col: Column, c: number) => (col.key === 'channel' || col.key === 'nonfinite' ? String(col.value(c)) : fmt(col.value(c)));

  /** Rows still to add after the next frame, or null when the grid is complete. */
  let pending: number[] | null = null;

  function renderRows(): void {
    const col = columns.find((k) => k.key === ctx.ui.sortKey) ?? columns[0];
    const sign = ctx.ui.sortDescending ? -1 : 1;
    const order = [...before.keys()].filter((c) => channelMatches(ctx.ui.filter, ctx.channelName(c), flags[c]));
    order.sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      if (Number.isNaN(va) !== Number.isNaN(vb)) return Number.isNaN(va) ? 1 : -1; // NaN last either way
      return (va === vb || Number.isNaN(va) ? a - b : (va < vb ? -1 : 1) * sign);
    });
    headCells.forEach((th, i) => th.setAttribute('aria-sort', columns[i] === col ? (sign < 0 ? 'descending' : 'ascending') : 'none'));
    rows.clear();
    const first = Math.max(FIRST_ROWS, order.indexOf(ctx.ui.channel) + FIRST_ROWS);
    replaceChildren(tbody, ...order.slice(0, first).map(row));
    countNote.textContent = order.length === r.channels ? `${r.channels} channels` : `${order.length} of ${r.channels} channels`;
    markSelection();
    const later = order.slice(first);
    pending = later.length ? later : null;
    if (pending) {
      table.setAttribute('aria-busy', 'true');
      requestAnimationFrame(() => setTimeout(() => {
        // unless a later render (sort, filter) replaced these rows, or a re-render of the page replaced the list
        if (pending === later && table.isConnected) addPending();
      }));
    } else table.removeAttribute('aria-busy');
  }

  function row(c: number): HTMLTableRowElement {
    const tr = h('tr', { 'data-channel': c, 'aria-rowindex': c + 2, class: flags[c] ? 'flagged' : null },
      ...columns.map((k) => h('td', { 'data-key': k.key }, cellText(k, c))));
    rows.set(c, tr);
    return tr;
  }

  function addPending(): void {
    if (!pending) return;
    append(tbody, ...pending.map(row));
    pending = null;
    table.removeAttribute('aria-busy');
    markSelection();
  }

  function markSelection(): void {
    const selected = ctx.ui.channel;
    // one Tab stop: the selected row, or the first shown when the selection is filtered out
    const tabStop = rows.has(selected) ? selected : rows.keys().next().value;
    for (const [c, tr] of rows) {
      tr.setAttribute('aria-selected', String(c === selected));
      tr.tabIndex = c === tabStop ? 0 : -1;
    }
  }

  tbody.addEventListener('click', (e) => {
    const tr = (e.target as Element).closest('tr');
    if (tr) choose(Number(tr.dataset.channel));
  });
  tbody.addEventListener('keydown', (e) => {
    addPending();
    const shown = [...rows.keys()];
    const at = shown.indexOf(Number((e.target as HTMLElement).dataset.channel));
    const target = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: shown.length - 1, PageDown: at + 10, PageUp: at - 10 }[e.key];
    if (target === undefined || !shown.length) return;
    e.preventDefault();
    choose(shown[Math.max(0, Math.min(shown.length - 1, target))]);
  });
  filter.addEventListener('input', () => {
    ctx.updateUi({ filter: filter.value });
    renderRows();
  });

  function choose(c: number): void {
    ctx.selectChannel(c);
    const tr = rows.get(c);
    tr?.focus();
    tr?.scrollIntoView({ block: 'nearest' });
  }

  renderRows();
  return {
    root: h('section', { class: 'channels', 'aria-labelledby': 'channels-title' },
      h('h3', { id: 'channels-title' }, 'Channels'),
      h('div', { class: 'field inline' }, h('label', { for: filter.id }, 'Filter'), filter, countNote),
      h('div', { class: 'grid-box' }, table)),
    onChannel: markSelection,
    onAffine(step) {
      if (step || !after) return;
      after = afterStats(r, ctx.affine());
      for (const [c, tr] of rows) {
        for (const td of tr.querySelectorAll<HTMLElement>('td[data-key="afterMean"], td[data-key="afterStd"]')) {
          td.textContent = cellText(columns.find((k) => k.key === td.dataset.key)!, c);
        }
      }
    },
  };
}
