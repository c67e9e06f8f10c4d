/**
 * γ/β sliders: one pair for the selected channel and one pair for all channels (a scale of every γ and a shift
 * of every β, on top of the per-channel values). They start at the file's values; "identity" undoes the
 * normalization, "reset" returns to the file. Nothing here asks the host: the charts map x̂'s histograms.
 */
import type { Ctx, View } from '../ctx';
import { affineKind } from '../derived';
import { button, h } from '../dom';
import { fmt } from '../../src/shared/format';
import { identityAffine } from '../gammaBeta';

interface Slider {
  root: HTMLElement;
  set(value: number, lo: number, hi: number): void;
}

/** A range input paired with a number box (exact values, and a second way to type). */
function slider(id: string, label: string, onInput: (v: number, commit: boolean) => void): Slider {
  const range = h('input', { id, type: 'range' });
  const box = h('input', { id: `${id}-value`, type: 'number', 'aria-label': `${label} value` });
  range.addEventListener('input', () => {
    box.value = range.value;
    onInput(Number(range.value), false);
  });
  range.addEventListener('change', () => onInput(Number(range.value), true));
  box.addEventListener('change', () => {
    const v = Number(box.value);
    if (box.value.trim() === '' || !Number.isFinite(v)) return;
    range.value = box.value;
    onInput(v, true);
  });
  return {
    root: h('div', { class: 'slider' }, h('label', { for: id }, label), range, box),
    set(value, lo, hi) {
      range.min = String(lo);
      range.max = String(hi);
      range.step = String((hi - lo) / 1000);
      range.value = String(value);
      box.step = 'any';
      box.value = Number.isFinite(value) ? String(Number(value.toPrecision(7))) : '';
    },
  };
}

export function gammaBetaView(ctx: Ctx): View | null {
  const r = ctx.result;
  const kind = affineKind(r);
  const ui = ctx.ui;
  if (kind === 'none' || !ui.gamma || !ui.beta) return null;
  const gamma = ui.gamma;
  const beta = ui.beta;
  const before = r.channel.before;
  const stats = r.options.mode === 'eval' && r.options.running ? r.options.running : { mean: before.map((s) => s.mean), var: before.map((s) => s.var) };
  const identity = r.options.op === 'batchnorm' ? identityAffine(stats.mean, stats.var, r.options.eps) : null;
  const finite = (v: number) => (Number.isFinite(v) ? Math.abs(v) : 0);

  const gammaC = slider('gb-gamma', 'γ', (v, commit) => {
    gamma[ui.channel] = v;
    changed(commit);
  });
  const betaC = slider('gb-beta', 'β', (v, commit) => {
    beta[ui.channel] = v;
    changed(commit);
  });
  const gammaAll = slider('gb-gamma-all', 'scale every γ ×', (v, commit) => {
    ui.gammaAll = v;
    changed(commit);
  });
  const betaAll = slider('gb-beta-all', 'shift every β +', (v, commit) => {
    ui.betaAll = v;
    changed(commit);
  });
  const info = h('p', { class: 'note', id: 'gb-info' });
  const betaRef = Math.max(1, ...before.map((s) => finite(s.mean) + finite(s.std)), ...beta.map(finite));

  function changed(commit: boolean): void {
    showInfo();
    ctx.affineChanged(commit);
  }

  function showInfo(): void {
    const c = ui.channel;
    const a = ctx.affine();
    info.textContent = `Channel ${ctx.channelName(c)}: file γ = ${fmt(ctx.start.gamma[c])}, β = ${fmt(ctx.start.beta[c])}; `
      + `in effect γ = ${fmt(a.gamma[c])}, β = ${fmt(a.beta[c])}.`;
  }

  function sync(): void {
    const c = ui.channel;
    const gRef = Math.max(1, finite(ctx.start.gamma[c]), finite(gamma[c]), identity ? finite(identity.gamma[c]) : 0);
    const bRef = Math.max(1, finite(ctx.start.beta[c]), finite(beta[c]), finite(before[c].mean) + finite(before[c].std));
    gammaC.set(gamma[c], -2 * gRef, 2 * gRef);
    betaC.set(beta[c], -2 * bRef, 2 * bRef);
    gammaAll.set(ui.gammaAll, 0, 4);
    betaAll.set(ui.betaAll, -2 * betaRef, 2 * betaRef);
    showInfo();
  }

  function assign(g: readonly number[], b: readonly number[]): void {
    gamma.splice(0, gamma.length, ...g);
    beta.splice(0, beta.length, ...(kind === 'scale' ? b.map(() => 0) : b));
    ui.gammaAll = 1;
    ui.betaAll = 0;
    sync();
    ctx.affineChanged(true);
  }

  const identityButton = identity
    ? button('Identity: γ = √(σ² + eps), β = μ', () => assign(identity.gamma, identity.beta), { id: 'gb-identity' }) : null;
  const root = h('section', { class: 'gamma-beta', 'aria-labelledby': 'gb-title' },
    h('h3', { id: 'gb-title' }, kind === 'scale' ? 'γ (RMSNorm has no β)' : 'γ and β'),
    h('div', { class: 'slider-group', role: 'group', 'aria-label': 'Selected channel' }, h('span', { class: 'group-label' }, 'Selected channel'),
      gammaC.root, kind === 'full' ? betaC.root : null),
    h('div', { class: 'slider-group', role: 'group', 'aria-label': 'All channels' }, h('span', { class: 'group-label' }, 'All channels'),
      gammaAll.root, kind === 'full' ? betaAll.root : null),
    h('div', { class: 'row' }, identityButton,
      button('Reset to file values', () => assign(ctx.start.gamma, ctx.start.beta), { id: 'gb-reset' })),
    identity ? h('p', { class: 'note' }, `Identity uses the ${r.options.mode === 'eval' ? 'running' : 'batch'} statistics, so y gives back the input.`) : null,
    info);
  return { root, mounted: sync, onChannel: sync };
}
