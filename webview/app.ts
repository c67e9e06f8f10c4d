/**
 * The inspector's controller: handles every host message (exhaustively), owns the requests in flight (a new
 * computation cancels the previous one), keeps the persisted UI state, and renders the page from them.
 */
import type { InitMessage, StopPoint, TensorInfo, ToWebview } from '../src/shared/protocol';
import type { InspectOptions, InspectResult } from '../src/engine/inspect/types';
import type { ChannelWindow } from '../src/shared/resultWire';
import { Figure, type FigureOptions } from './charts/figure';
import { applyPalette } from './charts/setup';
import type { Ctx, View } from './ctx';
import { affineKind, startAffine } from './derived';
import { button, h, replaceChildren } from './dom';
import { fmtInt, fmtPercent, shapeText } from '../src/shared/format';
import { effectiveAffine, type Affine } from './gammaBeta';
import { assertNever } from './assertNever';
import { normalizedAxis } from './layouts';
import { markOnce } from './marks';
import { reviveOptions, reviveResult, reviveStops } from './revive';
import { defaultUiState, persist, restoreUiState, type UiState } from './state';
import { readPalette, watchTheme, type Palette } from './theme';
import { exportBarView } from './views/exportBar';
import { axesDiagramView } from './views/axesDiagram';
import { channelChartsView } from './views/channelCharts';
import { channelListView } from './views/channelList';
import { controlsView } from './views/controls';
import { diagnosticsView } from './views/diagnostics';
import { distributionsView } from './views/distributions';
import { gammaBetaView } from './views/gammaBetaPanel';
import { headerView } from './views/header';
import { historyView, type HistoryView } from './views/history';
import { pickerView } from './views/picker';
import { runningPanelView } from './views/runningPanel';
import { errorView, loadingView, sourceChangedBanner } from './views/status';
import { summaryView } from './views/summary';
import { channelWindowView } from './views/channelWindow';
import { safeFileName, statisticsCsv, statisticsJson } from './exportData';
import { post } from './vscodeApi';

type Pending = { id: number; kind: 'compute'; tensor: string; options: InspectOptions } | { id: number; kind: 'openLayer'; prefix: string }
  | { id: number; kind: 'attachStats'; tensor: string; options: InspectOptions };

/** Ops that need a channel axis; on a tensor without one the picker falls back to statistics only. */
const NEEDS_CHANNEL_AXIS: ReadonlySet<InspectOptions['op']> = new Set(['batchnorm', 'groupnorm', 'instancenorm', 'zscore', 'minmax']);

export class App {
  private init: InitMessage | null = null;
  private tensor: TensorInfo | null = null;
  private result: InspectResult | null = null;
  /** `result` is pass 1's preview of the pending computation (moments only), not yet the whole result. */
  private partial = false;
  /** The channels `result` holds, of all the tensor has (the host sends at most MAX_WINDOW_CHANNELS at once). */
  private window: ChannelWindow | null = null;
  private options: InspectOptions | null = null;
  private pending: Pending | null = null;
  private progress: number | null = null;
  private error: { message: string; retry: (() => void) | null } | null = null;
  private changedOnDisk: { deleted: boolean } | null = null;
  private picking = false;
  private history: StopPoint[] = [];
  private ui: UiState = defaultUiState('');
  private start = { gamma: [] as number[], beta: [] as number[] };
  private palette: Palette;
  private nextId = 1;
  private readonly exports = new Map<number, string>();
  private views: View[] = [];
  private figures: Figure[] = [];
  private historyPanel: HistoryView | null = null;
  /** Persistent live regions: computation status, and export outcomes. */
  private readonly status = h('div', { id: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly exportStatus = h('p', { id: 'export-status', role: 'status', 'aria-live': 'polite' });

  constructor(private readonly root: HTMLElement) {
    this.palette = readPalette();
    applyPalette(this.palette);
    watchTheme(() => {
      this.palette = readPalette();
      applyPalette(this.palette);
      this.render();
    });
  }

  handle(m: ToWebview): void {
    switch (m.type) {
      case 'init':
        if (m.answersReady && this.init) {
          // the host posted this page's init as it opened (InitMessage.answersReady)
          markOnce('init answering ready ignored');
          return;
        }
        return this.onInit({ ...m, options: reviveOptions(m.options) });
      case 'result':
        if (this.pending?.id !== m.requestId) return; // superseded by a newer request
        return this.onResult(m.tensor, reviveResult(m.result), m.result.window, m.partial);
      case 'progress':
        if (this.pending?.id === m.requestId) {
          this.progress = m.fraction;
          this.showStatus();
        }
        return;
      case 'error':
        return this.onError(m.requestId, m.message, m.canRetry);
      case 'exported': {
        const what = this.exports.get(m.requestId);
        if (what === undefined) return;
        this.exports.delete(m.requestId);
        this.exportStatus.textContent = m.path === null ? `Export of ${what} cancelled.` : `Saved ${what} to ${m.path}.`;
        return;
      }
      case 'sourceChanged':
        this.changedOnDisk = { deleted: m.deleted };
        return this.render();
      case 'history':
        this.history = reviveStops(m.points);
        this.historyPanel?.setPoints(this.history);
        return;
      default:
        return assertNever(m);
    }
  }

  private onInit(m: InitMessage): void {
    this.init = m;
    this.changedOnDisk = null;
    this.error = null;
    this.history = [];
    const source = `${m.source.kind}:${m.source.detail}`;
    if (this.ui.source !== source) this.ui = restoreUiState(source);
    if (m.selected === null) {
      this.picking = true;
      this.result = null;
      this.tensor = null;
      return this.render();
    }
    this.picking = false;
    const tensor = m.tensors.find((t) => t.name === m.selected);
    if (!tensor) return this.fail(`The host selected tensor '${m.selected}', which the file does not list.`, null);
    if (this.pending?.kind === 'openLayer' || this.pending?.kind === 'attachStats') {
      // the host answers openLayer and attachStats with this init and then the result: its options win over saved ones
      this.tensor = tensor;
      this.options = m.options;
      this.ui.gamma = null;
      this.ui.beta = null;
      return this.render();
    }
    const saved = this.ui.tensor === tensor.name ? this.ui.options : null;
    // the host already computes m.options: take its answer, unless saved options of this page differ
    const adopt = m.computing !== undefined && (!saved || JSON.stringify(saved) === JSON.stringify(m.options)) ? m.computing : undefined;
    this.openTensor(tensor, saved ?? m.options, adopt);
  }

  /** A result, or pass 1's preview of one (`partial`: the request stays pending until its result). */
  private onResult(tensor: TensorInfo, r: InspectResult, window: ChannelWindow, partial: boolean): void {
    const sameTensor = this.ui.tensor === tensor.name;
    // another window shows other channels: the sliders start from their γ/β, the selection from the first
    const moved = this.window !== null && this.window.start !== window.start;
    this.window = window;
    if (!partial) {
      this.pending = null;
      this.progress = null;
    }
    this.partial = partial;
    this.error = null;
    this.tensor = tensor;
    this.result = r;
    this.options = r.options;
    this.start = startAffine(r);
    const ui = this.ui;
    if (!sameTensor || moved || ui.gamma?.length !== r.channels || ui.beta?.length !== r.channels) {
      ui.gamma = [...this.start.gamma];
      ui.beta = [...this.start.beta];
      ui.gammaAll = 1;
      ui.betaAll = 0;
    }
    ui.tensor = tensor.name;
    ui.options = r.options;
    ui.channel = moved ? 0 : Math.min(ui.channel, Math.max(0, r.channels - 1));
    persist(ui);
    this.render();
  }

  private onError(requestId: number | null, message: string, canRetry: boolean): void {
    const exportWhat = requestId === null ? undefined : this.exports.get(requestId);
    if (exportWhat !== undefined) {
      this.exports.delete(requestId!);
      this.exportStatus.textContent = `Export of ${exportWhat} failed: ${message}`;
      return;
    }
    if (requestId !== null && this.pending?.id !== requestId) return;
    const failed = this.pending;
    this.pending = null;
    this.progress = null;
    let retry: (() => void) | null = null;
    if (canRetry) {
      retry = failed?.kind === 'compute' ? () => this.compute(failed.tensor, failed.options)
        : failed?.kind === 'openLayer' ? () => this.openLayer(failed.prefix)
          : failed?.kind === 'attachStats' ? () => this.compute(failed.tensor, failed.options)
          : () => post({ type: 'reload' });
    }
    this.fail(message, retry);
  }

  private fail(message: string, retry: (() => void) | null): void {
    this.error = { message, retry };
    this.render();
  }

  /** `hostRequest`: the id under which the host already computes these options (init's `computing`). */
  private openTensor(tensor: TensorInfo, options: InspectOptions, hostRequest?: number): void {
    this.picking = false;
    this.tensor = tensor;
    if (this.ui.tensor !== tensor.name) this.result = null;
    this.compute(tensor.name, options, undefined, hostRequest);
  }

  /**
   * A control changed the options. It can report one edit twice (its change event, then again when the re-render
   * replaces it), so options equal to those pending or shown are not recomputed. (A reload after the file changed
   * recomputes through `compute` directly.)
   */
  private changeOptions(tensor: string, options: InspectOptions): void {
    const same = (o: InspectOptions | undefined) => o !== undefined && JSON.stringify(o) === JSON.stringify(options);
    if (this.pending?.kind === 'compute' && this.pending.tensor === tensor && same(this.pending.options)) return;
    if (!this.pending && !this.error && this.ui.tensor === tensor && same(this.result?.options)) return;
    this.compute(tensor, options);
  }

  /**
   * `firstChannel` picks the channel window; by default the one shown, for the same tensor. `hostRequest`: the host
   * computes them already under that id, so the page waits for its answers without asking.
   */
  private compute(tensor: string, options: InspectOptions, firstChannel?: number, hostRequest?: number): void {
    this.cancelPending();
    const id = hostRequest ?? this.nextId++;
    const first = firstChannel ?? (this.ui.tensor === tensor ? this.window?.start ?? 0 : 0);
    this.pending = { id, kind: 'compute', tensor, options };
    this.options = options;
    this.progress = null;
    this.error = null;
    this.ui.options = options;
    persist(this.ui);
    if (hostRequest === undefined) post({ type: 'compute', requestId: id, tensor, options, ...(first > 0 ? { firstChannel: first } : {}) });
    this.render();
  }

  private openLayer(prefix: string): void {
    this.cancelPending();
    const id = this.nextId++;
    this.pending = { id, kind: 'openLayer', prefix };
    this.progress = null;
    this.error = null;
    this.picking = false;
    this.result = null;
    post({ type: 'openLayer', requestId: id, prefix });
    this.render();
  }

  /** The host asks for a state dict and a layer, then answers with an init carrying its statistics (or the same options). */
  private attachStats(tensor: string, options: InspectOptions, channels: number): void {
    this.cancelPending();
    const id = this.nextId++;
    this.pending = { id, kind: 'attachStats', tensor, options };
    this.error = null;
    post({ type: 'attachStats', requestId: id, tensor, channels, options });
    this.render();
  }

  private cancelPending(): void {
    if (this.pending) post({ type: 'cancel', requestId: this.pending.id });
    this.pending = null;
  }

  /** Options that make sense for a tensor picked from a file: a valid channel axis and normalized shape. */
  private optionsFor(t: TensorInfo, base: InspectOptions): InspectOptions {
    const rank = t.shape.length;
    const channelAxis = normalizedAxis(base.channelAxis, rank) !== null ? base.channelAxis : rank >= 2 ? 1 : null;
    const op = channelAxis === null && NEEDS_CHANNEL_AXIS.has(base.op) ? 'none' : base.op;
    return { ...base, channelAxis, op: rank === 0 ? 'none' : op, normalizedDims: Math.max(1, Math.min(rank, base.normalizedDims)), running: undefined, affine: undefined };
  }

  private affine(): Affine {
    const r = this.result;
    const n = r?.channels ?? 0;
    const kind = r ? affineKind(r) : 'none';
    const ui = this.ui;
    if (kind === 'none' || !ui.gamma || !ui.beta) return effectiveAffine(new Array<number>(n).fill(1), new Array<number>(n).fill(0), 1, 0);
    return kind === 'scale' ? effectiveAffine(ui.gamma, new Array<number>(n).fill(0), ui.gammaAll, 0)
      : effectiveAffine(ui.gamma, ui.beta, ui.gammaAll, ui.betaAll);
  }

  private fileStem(): string {
    const label = this.init?.source.label.replace(/\.[A-Za-z0-9]+$/, '') ?? 'tensor';
    return this.tensor?.name ? `${label}-${this.tensor.name}` : label;
  }

  private postExport(what: string, message: Omit<Extract<Parameters<typeof post>[0], { type: 'export' }>, 'type' | 'requestId'>): void {
    const id = this.nextId++;
    this.exports.set(id, what);
    this.exportStatus.textContent = `Exporting ${what}…`;
    post({ type: 'export', requestId: id, ...message });
  }

  private makeCtx(init: InitMessage, tensor: TensorInfo, result: InspectResult): Ctx {
    return {
      init, tensor, result, ui: this.ui, palette: this.palette, start: this.start,
      channelName: (c) => c + (this.window?.start ?? 0),
      affine: () => this.affine(),
      selectChannel: (c) => {
        if (c === this.ui.channel || c < 0 || c >= result.channels) return;
        this.ui.channel = c;
        persist(this.ui);
        for (const v of this.views) v.onChannel?.();
      },
      updateUi: (patch) => {
        Object.assign(this.ui, patch);
        persist(this.ui);
      },
      affineChanged: (commit) => {
        for (const v of this.views) v.onAffine?.(!commit);
        if (commit) persist(this.ui);
      },
      figure: (opts: Omit<FigureOptions, 'onPng'>) => {
        const f = new Figure({
          ...opts,
          onPng: (id, dataUrl) => this.postExport(`${id}.png`, { format: 'png', suggestedName: safeFileName(this.fileStem(), `-${id}.png`), dataUrl }),
        });
        this.figures.push(f);
        return f;
      },
    };
  }

  private showStatus(): void {
    const busy = this.pending !== null;
    this.root.setAttribute('aria-busy', String(busy));
    if (!busy) {
      replaceChildren(this.status, this.result ? `Computed ${fmtInt(this.result.overall.before.elements)} values.` : '');
      return;
    }
    const bar = this.status.querySelector('progress');
    if (bar && this.progress !== null) {
      bar.value = this.progress;
      bar.nextSibling!.textContent = ` Computing… ${fmtPercent(this.progress)}`;
    } else replaceChildren(this.status, loadingView(this.progress));
  }

  render(): void {
    const active = document.activeElement;
    const focusId = active?.id;
    const rowFocused = Boolean(active?.closest('#channel-grid tbody'));
    for (const f of this.figures) f.destroy();
    this.figures = [];
    this.views = [];
    this.historyPanel = null;
    const parts: (HTMLElement | null)[] = [];
    const init = this.init;
    if (this.changedOnDisk) parts.push(sourceChangedBanner(this.changedOnDisk.deleted, () => post({ type: 'reload' })));
    if (init && this.picking) {
      parts.push(pickerView(init, {
        openTensor: (name) => {
          const t = init.tensors.find((x) => x.name === name);
          if (t) this.openTensor(t, this.ui.tensor === name && this.ui.options ? this.ui.options : this.optionsFor(t, init.options));
        },
        openLayer: (prefix) => this.openLayer(prefix),
      }));
    } else if (init && this.tensor) {
      const tensor = this.tensor;
      const options = this.options ?? init.options;
      const shown = this.result && this.result.options === options ? this.result : null;
      parts.push(headerView(init, tensor, this.result, options));
      if (init.tensors.length > 1) {
        parts.push(h('div', { class: 'row' }, button('All tensors in the file', () => {
          this.picking = true;
          this.render();
        }, { id: 'show-picker' })));
      }
      parts.push(controlsView(tensor, options, (o) => this.changeOptions(tensor.name, o),
        (channels) => this.attachStats(tensor.name, options, channels)));
      parts.push(this.status);
      if (this.error) parts.push(errorView(this.error.message, this.error.retry));
      else if (this.result) parts.push(...this.resultParts(init, tensor, this.result, shown === null, this.partial));
    } else {
      parts.push(this.status);
      if (this.error) parts.push(errorView(this.error.message, this.error.retry));
    }
    replaceChildren(this.root, ...parts);
    this.showStatus();
    for (const v of this.views) v.mounted?.();
    const again = focusId ? document.getElementById(focusId) : null;
    if (again) again.focus();
    else if (rowFocused) this.root.querySelector<HTMLElement>('#channel-grid tr[tabindex="0"]')?.focus();
  }

  private resultParts(init: InitMessage, tensor: TensorInfo, r: InspectResult, stale: boolean, partial: boolean): HTMLElement[] {
    if (r.overall.before.elements === 0) {
      return [h('p', { class: 'empty', id: 'empty' }, `The tensor has no elements (shape ${shapeText(r.shape)}): there is nothing to draw.`)];
    }
    const ctx = this.makeCtx(init, tensor, r);
    const window = this.window ?? { start: 0, count: r.channels, total: r.channels };
    const windowNav = window.count < window.total ? [channelWindowView(window, (first) => this.compute(tensor.name, r.options, first))] : [];
    if (partial) return this.previewParts(ctx, r, windowNav);
    const views = [channelListView(ctx), channelChartsView(ctx), distributionsView(ctx), gammaBetaView(ctx), runningPanelView(ctx)]
      .filter((v): v is View => v !== null);
    this.historyPanel = historyView(ctx, this.history, (enabled) => {
      init.follow.enabled = enabled;
      post({ type: 'follow', enabled });
    });
    const diagnostics = diagnosticsView(ctx);
    this.views = [...views, ...(this.historyPanel ? [this.historyPanel] : []), diagnostics];
    const [list, channelCharts, distributions, ...rest] = views;
    return [
      h('div', { class: stale ? 'content stale' : 'content' },
        h('div', { class: 'overview' }, summaryView(r), axesDiagramView(r)),
        ...windowNav,
        list.root,
        channelCharts.root,
        distributions.root,
        ...rest.map((v) => v.root),
        ...(this.historyPanel ? [this.historyPanel.root] : []),
        diagnostics.root,
        exportBarView({
          statistics: (format) => this.postExport(`statistics (${format.toUpperCase()})`, {
            format, suggestedName: safeFileName(this.fileStem(), `-stats.${format}`),
            text: format === 'csv' ? statisticsCsv(r, this.affine(), window) : statisticsJson(init.source, tensor, r, this.affine(), window),
          }),
          normalizedTensor: () => this.exportNormalized(tensor, r),
        }, r.options.op !== 'none', this.exportStatus)),
    ];
  }

  /**
   * Pass 1's preview: the moments it gives (summary, channel list, mean ± std and variance charts) and its findings;
   * histograms, quantiles, normalized statistics and exports wait for the result.
   */
  private previewParts(ctx: Ctx, r: InspectResult, windowNav: HTMLElement[]): HTMLElement[] {
    const views = [channelListView(ctx), channelChartsView(ctx), diagnosticsView(ctx)];
    this.views = views;
    const [list, charts, diagnostics] = views;
    return [
      h('div', { class: 'content partial', id: 'preview' },
        h('div', { class: 'overview' }, summaryView(r, true), axesDiagramView(r)),
        ...windowNav,
        list.root,
        charts.root,
        h('p', { class: 'note pending', id: 'pending-note' },
          'Histograms, quantiles and the normalized statistics are being computed (a second pass over the values); they appear here when it ends.'),
        diagnostics.root),
    ];
  }

  /** The host computes y = γ·x̂ + β with the γ/β in effect; non-finite γ/β (identity on a NaN channel) cannot travel. */
  private exportNormalized(tensor: TensorInfo, r: InspectResult): void {
    const a = this.affine();
    const finite = a.gamma.every(Number.isFinite) && a.beta.every(Number.isFinite);
    const options: InspectOptions = { ...r.options };
    if (finite && affineKind(r) !== 'none') options.affine = { scale: Array.from(a.gamma), bias: Array.from(a.beta) };
    else delete options.affine;
    this.postExport('the normalized tensor', { format: 'npy', suggestedName: safeFileName(this.fileStem(), '-normalized.npy'), tensor: tensor.name, options });
  }
}
