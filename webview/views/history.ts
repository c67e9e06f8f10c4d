/** Debug sources: "Follow at each stop", and the selected channel's mean and variance over the stops. */
import type { StopPoint } from '../../src/shared/protocol';
import type { Ctx, View } from '../ctx';
import { checkbox, h } from '../dom';
import { fmtPrecise } from '../../src/shared/format';

export interface HistoryView extends View {
  setPoints(points: StopPoint[]): void;
}

export function historyView(ctx: Ctx, initial: StopPoint[], onFollow: (enabled: boolean) => void): HistoryView | null {
  const follow = ctx.init.follow;
  if (!follow.available) return null;
  let points = initial;
  const p = ctx.palette;
  const fig = ctx.figure({ id: 'fig-history', title: '', description: 'Mean and variance of the selected channel at each debugger stop.' });
  const empty = h('p', { class: 'note', id: 'history-empty' }, 'No stops recorded yet: turn on "Follow at each stop" and continue the debugger.');

  function draw(): void {
    const c = ctx.ui.channel;
    fig.root.hidden = points.length === 0;
    empty.hidden = points.length > 0;
    if (!points.length) return;
    fig.setTitle(`Channel ${ctx.channelName(c)} over debugger stops`);
    fig.draw({
      series: [
        { label: 'mean', kind: 'line', color: p.raw, points: points.map((s) => ({ x: s.stop, y: s.mean[c] })) },
        { label: 'var (ddof=0)', kind: 'line', color: p.normalized, yAxis: 'y2', points: points.map((s) => ({ x: s.stop, y: s.var[c] })) },
      ],
      xTitle: 'stop', yTitle: 'mean', y2Title: 'variance',
    }, p, () => ({ head: ['stop', 'where', 'mean', 'var'], rows: points.map((s) => [String(s.stop), s.label, fmtPrecise(s.mean[c]), fmtPrecise(s.var[c])]) }));
  }

  const root = h('section', { class: 'history', 'aria-labelledby': 'history-title' },
    h('h3', { id: 'history-title' }, 'Debugger stops'),
    checkbox('Follow at each stop', follow.enabled, onFollow, { id: 'ctl-follow' }),
    empty, fig.root);
  return {
    root, mounted: draw, onChannel: draw,
    setPoints(next) {
      points = next;
      draw();
    },
  };
}
