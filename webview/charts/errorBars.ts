/** A chart.js plugin drawing vertical error bars (mean ± std) for the datasets that have them. */
import type { Chart, Plugin } from 'chart.js';

export interface ErrorBars {
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  color: string;
}

/** `bars(i)` gives dataset i's error bars, or undefined. */
export function errorBarsPlugin(bars: (datasetIndex: number) => ErrorBars | undefined): Plugin<'line'> {
  return {
    id: 'normscopeErrorBars',
    afterDatasetsDraw(chart: Chart<'line'>) {
      const { ctx, chartArea } = chart;
      chart.data.datasets.forEach((_ds, d) => {
        const b = bars(d);
        const meta = chart.getDatasetMeta(d);
        if (!b || meta.hidden || !chart.isDatasetVisible(d)) return;
        const y = chart.scales[meta.yAxisID ?? 'y'];
        ctx.save();
        ctx.beginPath();
        ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
        ctx.clip();
        ctx.strokeStyle = b.color;
        ctx.lineWidth = 1;
        ctx.beginPath();
        meta.data.forEach((point, i) => {
          const lo = b.lo[i];
          const hi = b.hi[i];
          if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
          const x = point.x;
          const y0 = y.getPixelForValue(lo);
          const y1 = y.getPixelForValue(hi);
          ctx.moveTo(x, y0);
          ctx.lineTo(x, y1);
          ctx.moveTo(x - 2, y0);
          ctx.lineTo(x + 2, y0);
          ctx.moveTo(x - 2, y1);
          ctx.lineTo(x + 2, y1);
        });
        ctx.stroke();
        ctx.restore();
      });
    },
  };
}
