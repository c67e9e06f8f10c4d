/**
 * A chart with what makes it usable beyond the mouse: a heading, a text alternative, a data table (the chart's
 * numbers for keyboard and screen-reader users, rendered only while open), a PNG export button and a hover
 * read-out in the DOM (exact values, selectable, visible to tests).
 */
import { button, h, replaceChildren, uid } from '../dom';
import { markOnce } from '../marks';
import type { Palette } from '../theme';
import { SeriesChart, type SeriesSpec } from './seriesChart';

export interface TableData {
  head: string[];
  rows: string[][];
}

export interface FigureOptions {
  /** Stable id: the element id and the PNG's file name. */
  id: string;
  title: string;
  /** What the chart shows, for screen readers (the canvas is an image to them). */
  description: string;
  onPng(id: string, dataUrl: string): void;
  /** Lines to show for the pointer at (offsetX, offsetY) on the canvas, or null for nothing. */
  hover?(chart: SeriesChart, offsetX: number, offsetY: number): string[] | null;
}

export class Figure {
  readonly root: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly details: HTMLDetailsElement;
  private readonly tip: HTMLElement;
  private chart?: SeriesChart;
  private table: () => TableData = () => ({ head: [], rows: [] });

  constructor(private readonly opts: FigureOptions) {
    const titleId = uid('fig-title');
    this.heading = h('h4', { id: titleId }, opts.title);
    this.canvas = h('canvas', { role: 'img', 'aria-label': `${opts.title}. ${opts.description} The data table below lists the values.` });
    this.tip = h('div', { class: 'chart-tip', role: 'tooltip', hidden: true });
    this.details = h('details', { class: 'data-table' }, h('summary', {}, 'Data table'));
    this.details.addEventListener('toggle', () => this.renderTable());
    const png = button('PNG', () => {
      if (this.chart) opts.onPng(opts.id, this.chart.toPng());
    }, { class: 'small', 'aria-label': `Export ${opts.title} as PNG` });
    this.root = h('figure', { class: 'figure', id: opts.id, 'aria-labelledby': titleId },
      h('div', { class: 'figure-head' }, this.heading, png),
      h('div', { class: 'canvas-box' }, this.canvas, this.tip),
      this.details);
    if (opts.hover) {
      this.canvas.addEventListener('mousemove', (e) => this.showTip(e.offsetX, e.offsetY));
      this.canvas.addEventListener('mouseleave', () => {
        this.tip.hidden = true;
      });
    }
  }

  setTitle(title: string): void {
    this.heading.textContent = title;
  }

  draw(spec: SeriesSpec, palette: Palette, table: () => TableData): void {
    this.table = table;
    if (this.chart) this.chart.update(spec, palette);
    else {
      this.chart = new SeriesChart(this.canvas, spec, palette);
      markOnce(`drawn ${this.opts.id}`);
    }
    if (this.details.open) this.renderTable();
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  private showTip(x: number, y: number): void {
    const lines = this.chart && this.opts.hover?.(this.chart, x, y);
    if (!lines) {
      this.tip.hidden = true;
      return;
    }
    replaceChildren(this.tip, ...lines.map((l) => h('div', {}, l)));
    this.tip.hidden = false;
    // CSSOM positioning (allowed by the CSP, unlike style attributes in markup)
    this.tip.style.left = `${x + 12}px`;
    this.tip.style.top = `${y + 8}px`;
  }

  private renderTable(): void {
    if (!this.details.open) return;
    const t = this.table();
    const table = h('table', {},
      h('thead', {}, h('tr', {}, ...t.head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...t.rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
    replaceChildren(this.details, h('summary', {}, 'Data table'), table);
  }
}
