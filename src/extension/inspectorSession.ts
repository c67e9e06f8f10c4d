/**
 * Binds one inspector webview to one tensor source: answers its messages, runs the engine (cancelling a
 * superseded run), caches results so a re-shown panel is instant, saves exports, and watches the file.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../engine/errors';
import type { Diagnostic, InspectOptions, InspectResult } from '../engine/inspect/types';
import { elementCount } from '../engine/tensor';
import { inspectorHtml, makeNonce } from '../shared/html';
import type { AttachStatsMessage, ExportMessage, FromWebview, SourceInfo, StopPoint, TensorInfo, ToWebview } from '../shared/protocol';
import { channelWindow, encodeResult, unwindowOptions, windowOptions, type ChannelWindow } from '../shared/resultWire';
import { parseFromWebview, parseInspectOptions } from '../shared/validate';
import type { Listing, WorkerSource } from '../shared/workerProtocol';
import { defaultOptionsFor } from './defaultOptions';
import { Disposable } from './dispose';
import type { EngineClient, InspectReports, JobHandle } from './engineClient';
import { Settings } from './ids';
import { log, reportError, userMessage } from './log';
import { writeFileAtomically } from '../node/atomicWrite';

/** Files at least this large show their progress in a cancellable notification too. */
const NOTIFY_BYTES = 64 << 20;
const CACHE_SIZE = 8;

/** A debug source that can re-read its variable at every stop (issue: follow a live tensor). */
export interface FollowController {
  readonly enabled: boolean;
  setEnabled(on: boolean): void;
}

export class InspectorSession extends Disposable {
  private listing: Promise<Listing> | undefined;
  /**
   * The computation under way: the first view's, started as the inspector opens (computeAhead) and answering no
   * request until one takes it over, or the one asked for last.
   */
  private running: RunningJob | undefined;
  /** The last id the host gave a request of its own (init's `computing`): negative, apart from the page's. */
  private hostRequests = 0;
  private readonly cache = new Map<string, InspectResult>();
  /** Findings the engine cannot make from the tensor alone (a state dict's redundant bias), by tensor name. */
  private readonly extraDiagnostics = new Map<string, Diagnostic[]>();
  private readonly computed = this._register(new vscode.EventEmitter<{ tensor: TensorInfo; result: InspectResult }>());
  /** Fires with every result sent to the webview (the integration tests compare it with numpy's). */
  readonly onDidCompute = this.computed.event;
  private last: { tensor: TensorInfo; result: InspectResult } | undefined;
  /**
   * The whole options of the tensor the page shows, and the channel window its per-channel option arrays are cut
   * to: what the page sends back is pasted into these (resultWire.ts).
   */
  private shown: { tensor: string; options: InspectOptions; window: ChannelWindow } | undefined;
  private readonly sourceChanged = this._register(new vscode.EventEmitter<{ deleted: boolean }>());
  /** Fires when the file changes or disappears on disk, as the webview is told to offer a reload. */
  readonly onDidChangeSource = this.sourceChanged.event;

  /** The result the webview shows now, if any. */
  get lastResult(): { tensor: TensorInfo; result: InspectResult } | undefined {
    return this.last;
  }

  constructor(
    private readonly webview: vscode.Webview,
    private source: WorkerSource,
    private info: SourceInfo,
    private readonly engine: EngineClient,
    extensionUri: vscode.Uri,
    private readonly follow?: FollowController,
    /** Overrides of the shape-based defaults: the layout guessed for a debug variable (engine/inspect/layoutGuess.ts). */
    private readonly initialOptions?: Partial<InspectOptions>,
  ) {
    super();
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    webview.options = { enableScripts: true, enableForms: false, localResourceRoots: [dist] };
    webview.html = inspectorHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce((b) => globalThis.crypto.getRandomValues(b)),
      title: info.label,
    });
    this._register(webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)));
    if (source.kind === 'file') this.watch(source.path);
    this._register({
      dispose: () => this.running?.job.cancel(),
    });
    // the page gets its init (and the first view's progress and result) as soon as they exist, which saves waiting
    // for its ready: VS Code holds them until it has loaded (InitMessage.answersReady says what if it does not)
    void this.computeAhead().then(() => this.sendInit());
  }

  private post(m: ToWebview): void {
    if (!this.isDisposed) void this.webview.postMessage(m);
  }

  private onMessage(raw: unknown): void {
    const m = parseFromWebview(raw);
    if (!m) {
      log().warn(`ignored an unknown or malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    void this.handle(m).catch((e) => reportError(e, `handling ${m.type}`));
  }

  private async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.sendInit(true);
      case 'reload':
        this.listing = undefined;
        this.cache.clear();
        return this.sendInit();
      case 'compute':
        return this.compute(m.requestId, m.tensor, this.wholeOptions(m.tensor, m.options), m.firstChannel);
      case 'cancel':
        if (this.running?.answer?.requestId === m.requestId) this.running.job.cancel();
        return;
      case 'export':
        return this.export(m.options && m.tensor !== undefined ? { ...m, options: this.wholeOptions(m.tensor, m.options) } : m);
      case 'openLayer':
        return this.openLayer(m.requestId, m.prefix);
      case 'attachStats':
        return this.attachStats({ ...m, options: this.wholeOptions(m.tensor, m.options) });
      case 'follow':
        this.follow?.setEnabled(m.enabled);
        return;
      case 'webviewError':
        log().error(`webview: ${m.message}`);
        return;
      default: {
        const never: never = m;
        log().warn(`unhandled webview message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Shows a new value of the same source (a followed debug variable at a new stop): the webview recomputes. */
  replaceSource(source: WorkerSource, info: SourceInfo): Promise<void> {
    this.running?.job.cancel();
    this.source = source;
    this.info = info;
    this.listing = undefined;
    this.cache.clear();
    return this.sendInit();
  }

  /** Posts a followed variable's history, each stop cut to the channel window shown. */
  postHistory(points: StopPoint[]): void {
    this.post({
      type: 'history',
      points: points.map((p) => {
        const w = this.shown?.window.total === p.mean.length ? this.shown.window : channelWindow(p.mean.length, 0);
        const cut = (a: number[]) => Float64Array.from(a.slice(w.start, w.start + w.count));
        return { stop: p.stop, label: p.label, mean: cut(p.mean), var: cut(p.var) };
      }),
    });
  }

  /** Options from the page, whose per-channel arrays hold the shown window's channels, made whole again. */
  private wholeOptions(tensor: string, options: InspectOptions): InspectOptions {
    const s = this.shown;
    return s && s.tensor === tensor ? unwindowOptions(options, s.options, s.window) : options;
  }

  /** An error of the source itself, e.g. a followed variable unreadable at a new stop: Retry shows the last value again. */
  postSourceError(message: string): void {
    this.post({ type: 'error', requestId: null, message, canRetry: true });
  }

  private getListing(): Promise<Listing> {
    if (!this.listing) {
      const started = Date.now();
      this.listing = this.engine.list(this.source).promise;
      void this.listing.then(() => log().info(`${this.info.label}: listed in ${Date.now() - started} ms`), () => undefined);
    }
    return this.listing;
  }

  /** `answersReady`: a page that has its init already ignores this one (InitMessage.answersReady). */
  private async sendInit(answersReady = false): Promise<void> {
    let listing: Listing;
    try {
      listing = await this.getListing();
    } catch (e) {
      this.listing = undefined;
      this.post({ type: 'error', requestId: null, message: userMessage(e), canRetry: true });
      if (!(e instanceof UserError)) reportError(e, `reading ${this.info.label}`);
      else log().warn(`${this.info.label}: ${e.message}`);
      return;
    }
    const { tensor, options, request } = this.firstView(listing);
    // the job computeAhead started for this view (still answering no request, or already ended) answers under an id
    // of the host's, without the page asking
    const ahead = request && !answersReady
      && ((this.running?.key === request.key && !this.running.answer) || this.cache.has(request.key));
    const computing = ahead ? --this.hostRequests : undefined;
    this.postInit(listing, tensor?.name ?? null, options, computing, answersReady);
    if (request && computing !== undefined) await this.compute(computing, request.tensor.name, request.options);
  }

  /**
   * What init shows first: the source's tensor when it holds just one, with the default options for its shape; and
   * then the computation of it as the page's request would carry it (options checked and rebuilt by the message
   * parser), with its cache key.
   */
  private firstView(listing: Listing): { tensor: TensorInfo | undefined; options: InspectOptions; request?: FirstRequest } {
    const tensor = listing.tensors.length === 1 && listing.layers.length === 0 ? listing.tensors[0] : undefined;
    const bins = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.histogramBins, 100);
    const options = { ...defaultOptionsFor(tensor?.shape ?? [], bins), ...this.initialOptions };
    const parsed = tensor && parseInspectOptions(options);
    return { tensor, options, request: tensor && parsed ? { tensor, options: parsed, key: jobKey(tensor.name, parsed) } : undefined };
  }

  /**
   * The page takes a while to start (the workbench loads the webview, then its script runs) and the engine need not
   * wait for it: the listing and, for a source of one tensor, the statistics that init will make the page ask for
   * start as the inspector opens. A request for those options takes the job over (compute): the host's own, made
   * with init (its `computing`), or the page's; any other request cancels it.
   */
  private async computeAhead(): Promise<void> {
    const listing = this.getListing();
    let request: FirstRequest | undefined;
    try {
      request = this.firstView(await listing).request;
    } catch {
      return; // sendInit reports the failure
    }
    if (!request || this.listing !== listing || this.isDisposed) return;
    void this.run(request.tensor, request.options, request.key, listing, null);
  }

  /** An engine job for `tensor` (inline when it is tiny); its time goes to the log when it ends. */
  private startJob(tensor: TensorInfo, options: InspectOptions, reports: Required<InspectReports>): JobHandle<InspectResult> {
    const inlineLimit = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.inlineComputeElements, 65536);
    const job = this.engine.inspect(withTensor(this.source, tensor.name), options, reports, elementCount(tensor.shape) <= inlineLimit);
    job.promise.then((r) => log().info(`${this.info.label}: computed in ${r.millis} ms`), () => undefined);
    return job;
  }

  /** The webview's (re)start: what the source holds, which tensor to show, and the options to show it with. */
  private postInit(listing: Listing, selected: string | null, options: InspectOptions, computing?: number, answersReady = false): void {
    // per-channel options (a state-dict layer's) are as long as the layer has channels: the first window of them
    const window = channelWindow(options.affine?.scale.length ?? options.running?.mean.length ?? 0, 0);
    this.shown = selected === null ? undefined : { tensor: selected, options, window };
    this.post({
      type: 'init', source: this.info, tensors: listing.tensors, layers: listing.layers, selected, options: windowOptions(options, window),
      follow: { available: !!this.follow, enabled: this.follow?.enabled ?? false }, ...(computing === undefined ? {} : { computing }),
      ...(answersReady ? { answersReady } : {}),
    });
  }

  /**
   * A state-dict layer is shown as its parameters channel by channel: the running variance (or γ) as the tensor,
   * with γ/β and the running statistics attached so the γ ≈ 0, eps and redundant-bias findings apply.
   */
  private async openLayer(requestId: number, prefix: string): Promise<void> {
    const listing = await this.getListing();
    const layer = listing.layers.find((l) => l.prefix === prefix);
    const shown = layer && (layer.runningVar ?? layer.weight ?? layer.runningMean ?? layer.bias);
    if (!layer || !shown) {
      this.post({ type: 'error', requestId, message: `${this.info.label} has no norm layer '${prefix}' with parameters to show.`, canRetry: false });
      return;
    }
    const p = await this.engine.layerParameters(this.source, layer).promise;
    const bins = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.histogramBins, 100);
    const options: InspectOptions = {
      ...defaultOptionsFor([layer.channels], bins),
      channelAxis: 0,
      // the frameworks' default eps: what the layer most likely used
      eps: layer.framework === 'keras' ? 1e-3 : 1e-5,
      affine: { scale: p.scale ?? new Array<number>(layer.channels).fill(1), bias: p.bias ?? new Array<number>(layer.channels).fill(0) },
    };
    if (p.runningMean && p.runningVar) options.running = { mean: p.runningMean, var: p.runningVar };
    this.extraDiagnostics.set(shown, layer.redundantBias ? [{
      severity: 'warning', code: 'redundant-bias',
      message: `${layer.redundantBias} feeds this BatchNorm, whose mean subtraction cancels it: the bias is wasted parameters (use bias=False).`,
    }] : []);
    this.postInit(listing, shown, options);
    await this.compute(requestId, shown, options);
  }

  private async attachStats(m: AttachStatsMessage): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Use Statistics', title: `Running statistics for ${m.channels} channels`,
      filters: { 'State dicts': ['safetensors', 'npz'] },
    });
    const file = picked?.[0]?.fsPath;
    // whatever happens, the webview gets an answer for its request: the current view, or the view with the stats
    if (!file) return this.compute(m.requestId, m.tensor, m.options);
    const source: WorkerSource = { kind: 'file', path: file, tensor: '' };
    const listing = await this.engine.list(source).promise;
    const fitting = listing.layers.filter((l) => l.channels === m.channels && (l.runningMean || l.weight));
    if (!fitting.length) {
      void vscode.window.showWarningMessage(`NormScope: ${path.basename(file)} has no norm layer with ${m.channels} channels `
        + `(it has ${listing.layers.map((l) => `${l.prefix} (${l.channels})`).join(', ') || 'none'}).`);
      return this.compute(m.requestId, m.tensor, m.options);
    }
    const pick = fitting.length === 1 ? fitting[0] : (await vscode.window.showQuickPick(fitting.map((l) => ({
      label: l.prefix, description: `${l.framework} ${l.kind}, ${l.channels} channels`,
      detail: [l.weight, l.bias, l.runningMean, l.runningVar].filter(Boolean).join(', '), layer: l,
    })), { title: `Layer of ${path.basename(file)}`, placeHolder: 'Norm layer whose statistics to use' }))?.layer;
    if (!pick) return this.compute(m.requestId, m.tensor, m.options);
    const p = await this.engine.layerParameters(source, pick).promise;
    const options: InspectOptions = { ...m.options, op: 'batchnorm' };
    if (p.scale && p.bias) options.affine = { scale: p.scale, bias: p.bias };
    if (p.runningMean && p.runningVar) {
      options.running = { mean: p.runningMean, var: p.runningVar };
      options.mode = 'eval';
    }
    this.postInit(await this.getListing(), m.tensor, options);
    await this.compute(m.requestId, m.tensor, options);
  }

  private async compute(requestId: number, tensorName: string, options: InspectOptions, firstChannel = 0): Promise<void> {
    const key = jobKey(tensorName, options);
    // the same computation of the same listing: a reload or a change on disk makes a new listing, and the job stale
    const same = this.running?.key === key && this.running.listing === this.listing ? this.running : undefined;
    if (same) {
      // asked again while it runs (a page started again, or one that missed the init posted as the inspector
      // opened): the job goes on and answers this request instead of starting over
      same.answer = { requestId, firstChannel };
      this.post({ type: 'progress', requestId, fraction: same.fraction });
      if (same.partial) this.postResult(requestId, same.tensor, same.partial, firstChannel, true);
      return;
    }
    this.running?.job.cancel();
    const listing = this.getListing();
    const tensor = (await listing).tensors.find((t) => t.name === tensorName);
    if (!tensor) {
      this.post({ type: 'error', requestId, message: `No tensor named '${tensorName}' in ${this.info.label}.`, canRetry: false });
      return;
    }
    const cached = this.cache.get(key);
    if (cached) {
      this.showResult(requestId, tensor, cached, firstChannel);
      return;
    }
    await this.run(tensor, options, key, listing, { requestId, firstChannel });
  }

  /**
   * Runs the computation `key` of `listing` as this.running and shows its result to the request it answers when it
   * ends: `answer`, or the request that took it over since (with none, the result only goes to the cache).
   */
  private async run(tensor: TensorInfo, options: InspectOptions, key: string, listing: Promise<Listing>,
    answer: RunningJob['answer']): Promise<void> {
    // large files also show a cancellable notification; the progress reaches it once it exists
    let notify: ((fraction: number) => void) | undefined;
    // what the reports read: a request taking the job over changes its answer
    const state: Omit<RunningJob, 'job'> = { key, listing, tensor, answer, fraction: 0, partial: null };
    const reports: Required<InspectReports> = {
      progress: (fraction) => {
        state.fraction = fraction;
        if (state.answer) this.post({ type: 'progress', requestId: state.answer.requestId, fraction });
        notify?.(fraction);
      },
      // what pass 1 found, shown until the result replaces it (never cached, exported or reported as computed); the
      // page ignores it once it asked for something else
      preview: (partial) => {
        state.partial = partial;
        if (state.answer) this.postResult(state.answer.requestId, tensor, partial, state.answer.firstChannel, true);
      },
    };
    const running: RunningJob = Object.assign(state, { job: this.startJob(tensor, options, reports) });
    this.running = running;
    if (tensor.byteLength >= NOTIFY_BYTES) notify = this.notifyProgress(tensor, running.job);
    try {
      const result = await running.job.promise;
      this.remember(key, result);
      // a job can end before its cancellation reaches it: the request that superseded it is what the page shows
      if (this.running !== running || !running.answer) return;
      this.showResult(running.answer.requestId, tensor, result, running.answer.firstChannel);
    } catch (e) {
      if (e instanceof CancelledError) return;
      if (!(e instanceof UserError)) log().error(`computing ${this.info.label}: ${e instanceof Error ? e.stack : String(e)}`);
      if (running.answer) this.post({ type: 'error', requestId: running.answer.requestId, message: userMessage(e), canRetry: true });
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  private showResult(requestId: number, tensor: TensorInfo, computed: InspectResult, firstChannel: number): void {
    const { result, window } = this.postResult(requestId, tensor, computed, firstChannel, false);
    this.shown = { tensor: tensor.name, options: result.options, window };
    this.last = { tensor, result };
    this.computed.fire(this.last);
  }

  /** Posts `computed` (with the session's own findings) over the channel window from `firstChannel`. */
  private postResult(requestId: number, tensor: TensorInfo, computed: InspectResult, firstChannel: number,
    partial: boolean): { result: InspectResult; window: ChannelWindow } {
    const extra = this.extraDiagnostics.get(tensor.name) ?? [];
    const result = extra.length ? { ...computed, diagnostics: [...extra, ...computed.diagnostics] } : computed;
    const window = channelWindow(result.channels, firstChannel);
    this.post({ type: 'result', requestId, tensor, result: encodeResult(result, window), partial });
    return { result, window };
  }

  /** Shows the job in a cancellable notification; returns the function that reports its progress there. */
  private notifyProgress(tensor: TensorInfo, job: JobHandle<unknown>): (fraction: number) => void {
    let reported = 0;
    let report: ((fraction: number) => void) | undefined;
    void vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification,
      title: `NormScope: ${this.info.label}${tensor.name ? '#' + tensor.name : ''}`,
      cancellable: true,
    }, async (progress, token) => {
      report = (fraction) => {
        progress.report({ increment: Math.max(0, fraction - reported) * 100, message: `${Math.round(fraction * 100)} %` });
        reported = Math.max(reported, fraction);
      };
      this._register(token.onCancellationRequested(() => job.cancel()));
      await job.promise.catch(() => undefined);
    });
    return (fraction) => report?.(fraction);
  }

  private remember(key: string, result: InspectResult): void {
    this.cache.delete(key);
    this.cache.set(key, result);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
  }

  private async export(m: ExportMessage): Promise<void> {
    const filters: Record<string, string[]> = { csv: ['csv'], json: ['json'], png: ['png'], npy: ['npy'] };
    const near = this.source.kind === 'file' ? path.dirname(this.source.path) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const target = await vscode.window.showSaveDialog({
      defaultUri: near ? vscode.Uri.file(path.join(near, m.suggestedName)) : undefined,
      filters: { [m.format.toUpperCase()]: filters[m.format] },
      title: `Export ${m.format.toUpperCase()}`,
    });
    if (!target) {
      this.post({ type: 'exported', requestId: m.requestId, path: null });
      return;
    }
    if (this.source.kind === 'file' && path.resolve(target.fsPath) === path.resolve(this.source.path)) {
      this.post({ type: 'error', requestId: m.requestId, message: 'Choose another file: NormScope never overwrites the tensor it is inspecting.', canRetry: false });
      return;
    }
    try {
      if (m.format === 'npy') await this.exportNormalized(m, target.fsPath);
      else await writeFileAtomically(target.fsPath, m.format === 'png' ? pngBytes(m.dataUrl ?? '') : Buffer.from(m.text ?? '', 'utf8'));
      this.post({ type: 'exported', requestId: m.requestId, path: target.fsPath });
      void vscode.window.showInformationMessage(`NormScope: exported ${path.basename(target.fsPath)}.`);
    } catch (e) {
      const message = reportError(e, `exporting ${m.format}`);
      if (message) this.post({ type: 'error', requestId: m.requestId, message, canRetry: true });
    }
  }

  private async exportNormalized(m: ExportMessage, outPath: string): Promise<void> {
    const source = withTensor(this.source, m.tensor ?? '');
    await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `NormScope: writing ${path.basename(outPath)}`, cancellable: true,
    }, async (progress, token) => {
      let reported = 0;
      const job = this.engine.normalizeToFile(source, m.options!, outPath, (f) => {
        progress.report({ increment: (f - reported) * 100 });
        reported = f;
      });
      token.onCancellationRequested(() => job.cancel());
      await job.promise;
    });
  }

  private watch(file: string): void {
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file))));
    const changed = (deleted: boolean) => {
      this.listing = undefined;
      this.cache.clear();
      this.post({ type: 'sourceChanged', deleted });
      this.sourceChanged.fire({ deleted });
    };
    this._register(watcher.onDidChange(() => changed(false)));
    this._register(watcher.onDidCreate(() => changed(false)));
    this._register(watcher.onDidDelete(() => changed(true)));
  }
}

function pngBytes(dataUrl: string): Uint8Array {
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

/** What identifies a computation (the cache's key, and the running job's): the tensor and its whole options. */
function jobKey(tensor: string, options: InspectOptions): string {
  return JSON.stringify([tensor, options]);
}

/** The first view's computation (InspectorSession.firstView). */
interface FirstRequest {
  tensor: TensorInfo;
  options: InspectOptions;
  /** jobKey of its tensor and options. */
  key: string;
}

/** A computation under way (InspectorSession.run), and the request it answers (null: none yet). */
interface RunningJob {
  /** jobKey of its tensor and options: a request for the same key, of the same listing, takes the job over. */
  key: string;
  listing: Promise<Listing>;
  tensor: TensorInfo;
  job: JobHandle<InspectResult>;
  answer: { requestId: number; firstChannel: number } | null;
  /** Its last progress and pass 1's preview, for a request that takes it over. */
  fraction: number;
  partial: InspectResult | null;
}

/** The same source, addressing tensor `name` inside it (a selection holds just one). */
function withTensor(source: WorkerSource, name: string): WorkerSource {
  return source.kind === 'literal' ? source : { ...source, tensor: name };
}
