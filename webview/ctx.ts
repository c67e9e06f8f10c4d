/** What every view of a shown result reads and the actions it may take; implemented by the App. */
import type { InitMessage, TensorInfo } from '../src/shared/protocol';
import type { InspectResult } from '../src/engine/inspect/types';
import type { Figure, FigureOptions } from './charts/figure';
import type { Affine } from './gammaBeta';
import type { UiState } from './state';
import type { Palette } from './theme';

export interface Ctx {
  readonly init: InitMessage;
  readonly tensor: TensorInfo;
  readonly result: InspectResult;
  /** The γ/β panel writes its fields (gamma, beta, gammaAll, betaAll) in place, then calls affineChanged. */
  readonly ui: UiState;
  readonly palette: Palette;
  /** γ/β in effect: per-channel values combined with the all-channel sliders (identity when the op has none). */
  affine(): Affine;
  /** γ/β from the file (or 1 and 0): the sliders' start point and what "reset" returns to. */
  readonly start: { gamma: number[]; beta: number[] };
  /**
   * A channel's number in the tensor. Views index channels within the window the result holds (0 ..
   * result.channels − 1); every channel number shown to the user goes through this.
   */
  channelName(channel: number): number;
  selectChannel(channel: number): void;
  /** Changes and persists UI state; `redraw` lists what to update. */
  updateUi(patch: Partial<UiState>, redraw?: 'affine' | 'channel' | 'all'): void;
  /** A γ/β slider moved: redraw what depends on γ/β now; persist when `commit` (the slider was released). */
  affineChanged(commit: boolean): void;
  /** A figure whose PNG export and disposal the app handles. */
  figure(opts: Omit<FigureOptions, 'onPng'>): Figure;
}

/** A mounted part of the page; hooks are called when what it shows changes. */
export interface View {
  root: HTMLElement;
  /** Called once the root is in the page (chart.js sizes a chart from its container). */
  mounted?(): void;
  onChannel?(): void;
  /** `step` is true during a slider drag: only what must follow the slider at every step. */
  onAffine?(step: boolean): void;
}
