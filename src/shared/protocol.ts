/**
 * The one contract between the extension host and the inspector webview. Every message is an interface with a
 * literal `type`; `ToWebview` and `FromWebview` close the set. Requests from the webview carry a `requestId`
 * and get exactly one `result`/`exported` or `error` for it. Messages from the webview are validated at
 * runtime by `validate.ts` before the host acts on them.
 */
import type { DType } from '../engine/dtype';
import type { InspectOptions } from '../engine/inspect/types';
import type { WireResult } from './resultWire';

/** Where the tensor came from, in the user's terms (shown in the header). */
export interface SourceInfo {
  kind: 'file' | 'selection' | 'debug';
  /** File name, "Selection in model.py:12", or the debug expression. */
  label: string;
  /** Full path, editor position, or debug session name. */
  detail: string;
}

export interface TensorInfo {
  /** '' for a file holding a single tensor. */
  name: string;
  shape: number[];
  dtype: DType;
  order: 'C' | 'F';
  byteLength: number;
}

/** A normalization layer found in a state dict, openable with its γ, β and running statistics. */
export interface NormLayerInfo {
  prefix: string;
  kind: 'batchnorm' | 'layernorm' | 'rmsnorm' | 'groupnorm';
  framework: 'pytorch' | 'keras';
  channels: number;
  /** Tensor names inside the file for each role that exists. */
  weight?: string;
  bias?: string;
  runningMean?: string;
  runningVar?: string;
  numBatchesTracked?: string;
  /** The bias of the layer feeding this one, redundant before a BatchNorm. */
  redundantBias?: string;
}

/** One debugger stop's per-channel figures, for the history chart of a followed variable. */
export interface StopPoint {
  stop: number;
  label: string;
  mean: number[];
  var: number[];
}

// ---- host -> webview ----

export interface InitMessage {
  type: 'init';
  source: SourceInfo;
  tensors: TensorInfo[];
  layers: NormLayerInfo[];
  /** The tensor to show first, or null to show the picker. */
  selected: string | null;
  /** Options to compute with unless the webview has saved its own for this tensor. */
  options: InspectOptions;
  /**
   * The request id (negative: the host's own) under which the host already computes `selected` with `options`, a
   * job it started as the inspector opened: the page takes its answers instead of asking, unless it shows the
   * tensor with saved options of its own. Saves the page's request and its wait in a busy workbench.
   */
  computing?: number;
  /**
   * This init answers the page's `ready`. The host posts the first init as the inspector opens, without waiting
   * for the page: VS Code holds it until the page has loaded, and a page that has taken an init since it started
   * ignores this one. A page that has none takes it: one started again (a panel restored after being hidden), or
   * one whose early init VS Code dropped (seen for a window's first inspector now and then); its request for the
   * first view then takes over the job already running.
   */
  answersReady?: boolean;
  /** Whether "Follow at each stop" is available (debug sources) and on. */
  follow: { available: boolean; enabled: boolean };
}

export interface ProgressMessage {
  type: 'progress';
  requestId: number;
  fraction: number;
}

/**
 * The result over a window of at most MAX_WINDOW_CHANNELS channels, per-channel figures as typed arrays (resultWire.ts).
 * `partial`: pass 1's preview of a large tensor (InspectPlan.preview: moments, no quantiles, histograms of one bin,
 * no x̂ statistics), shown while the rest is computed; the full result for the same request follows.
 */
export interface ResultMessage {
  type: 'result';
  requestId: number;
  tensor: TensorInfo;
  result: WireResult;
  partial: boolean;
}

export interface ErrorMessage {
  type: 'error';
  /** The request that failed, or null for an error of the source itself (file unreadable, deleted). */
  requestId: number | null;
  message: string;
  canRetry: boolean;
}

export interface ExportedMessage {
  type: 'exported';
  requestId: number;
  /** Where the file was written, or null when the user cancelled the save dialog. */
  path: string | null;
}

/** The file changed on disk while open: the view offers to reload. */
export interface SourceChangedMessage {
  type: 'sourceChanged';
  deleted: boolean;
}

/** The history of a followed variable, each stop's figures cut to the channel window shown, as typed arrays. */
export interface HistoryMessage {
  type: 'history';
  points: WireStopPoint[];
}

export interface WireStopPoint {
  stop: number;
  label: string;
  mean: Float64Array;
  var: Float64Array;
}

export type ToWebview = InitMessage | ProgressMessage | ResultMessage | ErrorMessage | ExportedMessage
  | SourceChangedMessage | HistoryMessage;

// ---- webview -> host ----

export interface ReadyMessage {
  type: 'ready';
}

/**
 * Compute statistics for `tensor` with `options`; a newer compute supersedes (cancels) an older one. The
 * per-channel arrays of `options` hold the channels of the window the page shows; `firstChannel` is the first
 * channel of the window to answer with (0 when absent). A new window of the same result comes from the host's cache.
 */
export interface ComputeMessage {
  type: 'compute';
  requestId: number;
  tensor: string;
  options: InspectOptions;
  firstChannel?: number;
}

export interface CancelMessage {
  type: 'cancel';
  requestId: number;
}

/** Open a state dict's norm layer: the host answers with `init` for that layer's options and a `result`. */
export interface OpenLayerMessage {
  type: 'openLayer';
  requestId: number;
  prefix: string;
}

/**
 * Attach γ/β and running statistics from a state dict to the tensor shown (BatchNorm eval): the host asks for
 * the file and the layer, then answers like `openLayer` (an `init` with the new options, then a `result`).
 */
export interface AttachStatsMessage {
  type: 'attachStats';
  requestId: number;
  tensor: string;
  channels: number;
  options: InspectOptions;
}

export type ExportFormat = 'csv' | 'json' | 'png' | 'npy';

/**
 * Save something through the host's save dialog. csv/json carry their text, png a base64 data URL of a chart;
 * npy asks the host to compute the normalized tensor with `options`.
 */
export interface ExportMessage {
  type: 'export';
  requestId: number;
  format: ExportFormat;
  suggestedName: string;
  text?: string;
  dataUrl?: string;
  tensor?: string;
  options?: InspectOptions;
}

export interface ReloadMessage {
  type: 'reload';
}

export interface FollowMessage {
  type: 'follow';
  enabled: boolean;
}

/** An error inside the webview, sent to the host's log. */
export interface WebviewErrorMessage {
  type: 'webviewError';
  message: string;
}

export type FromWebview = ReadyMessage | ComputeMessage | CancelMessage | OpenLayerMessage | AttachStatsMessage | ExportMessage
  | ReloadMessage | FollowMessage | WebviewErrorMessage;
