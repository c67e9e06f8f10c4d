/**
 * The one chart type of the inspector: series of (x, y) points drawn as lines, markers with error bars, or
 * filled steps (histograms: a step per bin from edge i to edge i+1). `update` swaps the data in place and
 * redraws synchronously, which is what keeps a γ/β slider step within a frame.
 */
import type { ChartDataset } from 'chart.js';
import { fmt } from '../../src/shared/format';
import type { Palette } from '../theme';
import { errorBarsPlugin, type ErrorBars } from './errorBars';
import { Chart } from './setup';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: Point[];
  color: string;
  kind: 'line' | 'points' | 'steps';
  xAxis?: 'x' | 'x2';
  yAxis?: 'y' | 'y2';
  errors?: { lo: ArrayLike<number>; hi: ArrayLike<number> };
  dashed?: boolean;
}

export interface SeriesSpec {
  series: Series[];
  xTitle: string;
  yTitle: string;
  x2Title?: string;
  y2Title?: string;
  logY?: boolean;
}

/** A histogram as step points: (edge_i, count_i) for every bin, closed with zeros at both ends. */
export function stepPoints(edges: ArrayLike<number>, counts: ArrayLike<number>): Point[] {
  const n = counts.length;
  const pts: Point[] = new Array(n + 3);
  pts[0] = { x: edges[0], y: 0 };
  for (let i = 0; i < n; i++) pts[i + 1] = { x: edges[i], y: counts[i] };
  pts[n + 1] = { x: edges[n], y: n ? counts[n - 1] : 0 };
  pts[n + 2] = { x: edges[n], y: 0 };
  return pts;
}

type LineDataset = ChartDataset<'line', Point[]>;

/** Above this many points, markers are drawn smaller. */
const MANY_MARKERS = 64;
/** Above this many points, a line is drawn without its point markers. */
const MANY_LINE_POINTS = 50;

export class SeriesChart {
  private readonly chart: Chart<'line', Point[]>;
  private bars: (ErrorBars | undefined)[];
  private structure: string;

  /** The chart is created with its data and scales: created empty, chart.js would lay out and draw it twice. */
  constructor(canvas: HTMLCanvasElement, spec: SeriesSpec, palette: Palette) {
    this.structure = structureOf(spec, palette);
    this.bars = barsOf(spec);
    this.chart = new Chart<'line', Point[]>(canvas, {
      type: 'line',
      data: { datasets: spec.series.map((s) => dataset(s, palette)) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        // hover is ours (exact counts in a DOM tooltip); chart.js only needs clicks for the legend
        events: ['click'],
        plugins: { legend: { labels: { boxWidth: 12, boxHeight: 12 } } },
        scales: scalesOf(spec),
      },
      plugins: [errorBarsPlugin((d) => this.bars[d])],
    });
  }

  /**
   * Replaces the data (and the colours, which change with the theme) and redraws at once. When only the points
   * changed (a slider step), the datasets and scale options are kept: chart.js caches their resolved options,
   * and rebuilding them costs more than drawing.
   */
  update(spec: SeriesSpec, p: Palette): void {
    const structure = structureOf(spec, p);
    this.bars = barsOf(spec);
    if (structure === this.structure) {
      spec.series.forEach((s, i) => {
        this.chart.data.datasets[i].data = s.points;
      });
      const y = this.chart.options.scales?.y as { suggestedMin?: number; suggestedMax?: number } | undefined;
      if (y) [y.suggestedMin, y.suggestedMax] = errorRange(spec.series);
    } else {
      this.structure = structure;
      this.chart.data.datasets = spec.series.map((s) => dataset(s, p));
      this.chart.options.scales = scalesOf(spec);
    }
    this.chart.update('none');
  }

  /** The data value under a canvas x coordinate on axis `axis`, or undefined outside the plot area. */
  valueAt(offsetX: number, offsetY: number, axis: 'x' | 'x2' = 'x'): number | undefined {
    const a = this.chart.chartArea;
    if (!a || offsetX < a.left || offsetX > a.right || offsetY < a.top || offsetY > a.bottom) return undefined;
    return this.chart.scales[axis]?.getValueForPixel(offsetX);
  }

  toPng(): string {
    return this.chart.toBase64Image('image/png');
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** What, when it changes, makes `update` rebuild the datasets and scales rather than only swap their points. */
function structureOf(spec: SeriesSpec, p: Palette): string {
  return JSON.stringify([spec.xTitle, spec.yTitle, spec.x2Title, spec.y2Title, spec.logY, p,
    spec.series.map((s) => [s.label, s.kind, s.color, s.xAxis, s.yAxis, s.dashed,
      // the marker size depends on the point count: crossing a threshold rebuilds the datasets
      s.points.length > MANY_MARKERS, s.points.length > MANY_LINE_POINTS])]);
}

function barsOf(spec: SeriesSpec): (ErrorBars | undefined)[] {
  return spec.series.map((s) => (s.errors ? { ...s.errors, color: s.color } : undefined));
}

function scalesOf(spec: SeriesSpec) {
  const used = (axis: string) => spec.series.some((s) => (s.xAxis ?? 'x') === axis || (s.yAxis ?? 'y') === axis);
  // chart.js fits its axis to the points only: widen it so that error bars are not cut off
  const [suggestedMin, suggestedMax] = errorRange(spec.series);
  const y = spec.logY ? { type: 'logarithmic' as const, title: { display: true, text: `${spec.yTitle} (log)` }, ticks: TICKS } : linear(spec.yTitle, 'left');
  return {
    x: linear(spec.xTitle, 'bottom'),
    y: { ...y, suggestedMin, suggestedMax },
    // an axis that is declared is measured at every update even when hidden: declare only those in use
    ...(used('x2') ? { x2: linear(spec.x2Title ?? '', 'top') } : {}),
    ...(used('y2') ? { y2: { ...linear(spec.y2Title ?? '', 'right'), grid: { drawOnChartArea: false } } } : {}),
  };
}

function errorRange(series: readonly Series[]): [number | undefined, number | undefined] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    if (!s.errors || (s.yAxis ?? 'y') !== 'y') continue;
    for (let i = 0; i < s.errors.lo.length; i++) {
      if (Number.isFinite(s.errors.lo[i])) lo = Math.min(lo, s.errors.lo[i]);
      if (Number.isFinite(s.errors.hi[i])) hi = Math.max(hi, s.errors.hi[i]);
    }
  }
  return lo <= hi ? [lo, hi] : [undefined, undefined];
}

/** Horizontal tick labels, sized from a sample: measuring every label's text dominates a redraw otherwise. */
const TICKS = { maxRotation: 0, sampleSize: 5 };

/**
 * Linear ticks are labelled by the inspector's own formatter: chart.js's builds an Intl.NumberFormat, whose first
 * use in a page loads ICU's locale data (tens of ms before the first chart can be drawn, issue 8).
 */
const LINEAR_TICKS = { ...TICKS, callback: (value: number | string) => fmt(Number(value)) };

function linear(title: string, position: 'bottom' | 'top' | 'left' | 'right') {
  return { type: 'linear' as const, position, title: { display: title !== '', text: title }, ticks: LINEAR_TICKS };
}

function dataset(s: Series, p: Palette): LineDataset {
  const width = p.highContrast ? 2 : 1.5;
  const common = {
    label: s.label, data: s.points, borderColor: s.color, backgroundColor: s.color,
    xAxisID: s.xAxis ?? 'x', yAxisID: s.yAxis ?? 'y', borderDash: s.dashed ? [6, 4] : [],
  };
  switch (s.kind) {
    case 'steps':
      return { ...common, stepped: 'after', fill: 'origin', backgroundColor: p.fill(s.color), borderWidth: width, pointRadius: 0 };
    case 'points':
      return { ...common, showLine: false, pointRadius: s.points.length > MANY_MARKERS ? 2 : 3, borderWidth: 0 };
    case 'line':
      return { ...common, borderWidth: width, pointRadius: s.points.length > MANY_LINE_POINTS ? 0 : 2, fill: false };
  }
}
