/**
 * chart.js, tree-shaken: only the line controller and the scales and plugins the inspector draws with are
 * registered. Every chart is a line chart (histograms are filled step lines, per-channel figures are points
 * with error bars), which keeps the bundle small and one code path for theming.
 */
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, type Plugin } from 'chart.js';
import type { Palette } from '../theme';

let palette: Palette | undefined;

/** Paints the theme background under each chart, so that an exported PNG reads the same as the view. */
const background: Plugin = {
  id: 'normscopeBackground',
  beforeDraw(chart) {
    if (!palette) return;
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Legend, background);

/** Applies a palette to chart.js defaults; charts created afterwards use it. */
export function applyPalette(p: Palette): void {
  palette = p;
  Chart.defaults.color = p.foreground;
  Chart.defaults.borderColor = p.grid;
  Chart.defaults.font.family = p.fontFamily;
  Chart.defaults.font.size = p.fontSize;
  // updates are driven by sliders at every step: animation would only lag behind them
  Chart.defaults.animation = false;
}

export { Chart };
