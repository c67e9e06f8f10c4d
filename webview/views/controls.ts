/**
 * The options of a computation. Every committed change asks the host to recompute (the app cancels the run in
 * flight); controls that do not apply to the chosen operation are hidden, so Tab only visits what matters.
 * Invalid input is flagged on its control and not sent.
 */
import type { TensorInfo } from '../../src/shared/protocol';
import type { InspectOptions } from '../../src/engine/inspect/types';
import { button, checkbox, field, h, select } from '../dom';
import { fmtParam, shapeText } from '../../src/shared/format';
import { channelCount, LAYOUTS, layoutChannelAxis, layoutOf, normalizedAxis, type LayoutName } from '../layouts';

type OpChoice = 'batchnorm-train' | 'batchnorm-eval' | 'layernorm' | 'groupnorm' | 'instancenorm' | 'rmsnorm' | 'zscore' | 'minmax' | 'none';
type LayoutChoice = LayoutName | 'axis' | 'whole';

const OP_CHOICES: ReadonlyArray<{ value: OpChoice; label: string }> = [
  { value: 'batchnorm-train', label: 'BatchNorm (train)' },
  { value: 'batchnorm-eval', label: 'BatchNorm (eval)' },
  { value: 'layernorm', label: 'LayerNorm' },
  { value: 'groupnorm', label: 'GroupNorm' },
  { value: 'instancenorm', label: 'InstanceNorm' },
  { value: 'rmsnorm', label: 'RMSNorm' },
  { value: 'zscore', label: 'z-score' },
  { value: 'minmax', label: 'min-max' },
  { value: 'none', label: 'None (statistics only)' },
];

function opChoice(o: InspectOptions): OpChoice {
  return o.op === 'batchnorm' ? (o.mode === 'eval' ? 'batchnorm-eval' : 'batchnorm-train') : o.op;
}

/** PyTorch's momentum m and Keras's decay d describe the same update when d = 1 - m. */
function convertMomentum(m: number | null, to: InspectOptions['convention']): number | null {
  if (m === null) return to === 'keras' ? 0.99 : null;
  return Number((1 - m).toPrecision(12));
}

/**
 * `onAttachStats` asks the host for a state dict's γ/β and running statistics for this tensor's channels: what
 * BatchNorm eval needs, since an activation file does not carry them.
 */
export function controlsView(tensor: TensorInfo, options: InspectOptions, onChange: (o: InspectOptions) => void,
  onAttachStats: (channels: number) => void): HTMLElement {
  const rank = tensor.shape.length;
  const o = options;
  const emit = (patch: Partial<InspectOptions>) => onChange({ ...o, ...patch });
  const axis = normalizedAxis(o.channelAxis, rank);
  const channels = channelCount(tensor.shape, o.channelAxis);
  const uses = {
    ndims: o.op === 'layernorm' || o.op === 'rmsnorm',
    groups: o.op === 'groupnorm',
    eps: o.op !== 'minmax' && o.op !== 'none',
    running: o.op === 'batchnorm',
    momentum: o.op === 'batchnorm' && o.mode === 'train',
    range: o.op === 'minmax',
  };

  const op = select(OP_CHOICES.map((c) => ({ ...c, disabled: c.value === 'batchnorm-eval' && !o.running })), opChoice(o), (v) => {
    if (v === 'batchnorm-train' || v === 'batchnorm-eval') emit({ op: 'batchnorm', mode: v === 'batchnorm-eval' ? 'eval' : 'train' });
    else emit({ op: v, mode: 'train' });
  });
  op.id = 'ctl-op';

  const layoutChoices: { value: LayoutChoice; label: string }[] = [
    ...LAYOUTS.filter((l) => l.length === rank).map((l) => ({ value: l as LayoutChoice, label: l })),
    { value: 'axis', label: 'Explicit axis' },
    { value: 'whole', label: 'Whole tensor' },
  ];
  const axisInput = intInput('ctl-axis', axis ?? (rank > 1 ? 1 : 0), -rank, rank - 1, (v) => emit({ channelAxis: v }));
  const axisField = field('Channel axis', axisInput);
  const layout = select(layoutChoices, axis === null ? 'whole' : layoutOf(rank, axis) ?? 'axis', (v) => {
    // choosing "explicit axis" only reveals the axis field: the computation changes when an axis is entered
    axisField.hidden = v !== 'axis';
    if (v === 'whole') emit({ channelAxis: null });
    else if (v === 'axis') axisInput.focus();
    else emit({ channelAxis: layoutChannelAxis(v) });
  });
  layout.id = 'ctl-layout';

  const ndims = intInput('ctl-ndims', o.normalizedDims, 1, Math.max(1, rank), (v) => emit({ normalizedDims: v }));
  const groups = intInput('ctl-groups', o.groups, 1, Math.max(1, channels), (v) => emit({ groups: v }),
    (v) => (channels % v === 0 ? '' : `${v} groups do not divide ${channels} channels`));

  const eps = numberInput('ctl-eps', fmtParam(o.eps), (v) => (v >= 0 ? '' : 'eps must be ≥ 0'), (v) => emit({ eps: v }));

  const convention = select([{ value: 'pytorch', label: 'PyTorch' }, { value: 'keras', label: 'Keras / TensorFlow' }] as const,
    o.convention, (v) => emit({ convention: v, momentum: convertMomentum(o.momentum, v) }));
  convention.id = 'ctl-convention';

  const momentum = numberInput('ctl-momentum', o.momentum === null ? '' : fmtParam(o.momentum),
    (v) => (v >= 0 && v <= 1 ? '' : 'momentum must be between 0 and 1'), (v) => emit({ momentum: v }));
  momentum.disabled = o.momentum === null;
  const cumulative = checkbox('None (cumulative average)', o.momentum === null,
    (on) => emit({ momentum: on ? null : 0.1 }), { id: 'ctl-momentum-none' });

  const range = select([{ value: '0,1', label: '[0, 1]' }, { value: '-1,1', label: '[-1, 1]' }] as const,
    o.range[0] === -1 ? '-1,1' : '0,1', (v) => emit({ range: v === '-1,1' ? [-1, 1] : [0, 1] }));
  range.id = 'ctl-range';

  const bins = intInput('ctl-bins', o.bins, 1, 10000, (v) => emit({ bins: v }));

  const attach = button(o.running ? 'Other running statistics…' : 'Running statistics from a state dict…', () => onAttachStats(channels),
    { id: 'ctl-attach', title: `Use γ/β, running_mean and running_var of a norm layer with ${channels} channels (.safetensors or .npz)` });

  const show = (on: boolean, el: HTMLElement) => {
    el.hidden = !on;
    return el;
  };
  return h('section', { class: 'controls', 'aria-label': 'Operation and options' },
    field('Operation', op),
    field('Layout', layout),
    show(layout.value === 'axis' && rank > 0, axisField),
    show(uses.ndims, field('Normalized dims', ndims, `normalized_shape ${shapeText(tensor.shape.slice(rank - o.normalizedDims))}`)),
    show(uses.groups, field('Groups', groups, `of ${channels} channels`)),
    show(uses.eps, field('eps', eps)),
    show(uses.running && axis !== null, h('div', { class: 'field' }, attach)),
    show(uses.running, field('Convention', convention)),
    show(uses.momentum, h('div', { class: 'field' }, field(o.convention === 'keras' ? 'Momentum (decay)' : 'Momentum', momentum),
      o.convention === 'pytorch' ? cumulative : null)),
    show(uses.range, field('Target range', range)),
    field('Bins', bins));
}

function intInput(id: string, value: number, min: number, max: number, commit: (v: number) => void,
  check: (v: number) => string = () => ''): HTMLInputElement {
  const input = h('input', { id, type: 'number', min, max, step: 1, value });
  validated(input, (v) => (Number.isInteger(v) && v >= min && v <= max ? check(v) : `a whole number from ${min} to ${max}`), commit);
  return input;
}

function numberInput(id: string, value: string, check: (v: number) => string, commit: (v: number) => void): HTMLInputElement {
  const input = h('input', { id, type: 'text', inputmode: 'decimal', spellcheck: 'false', value, size: 8 });
  validated(input, (v) => (Number.isFinite(v) ? check(v) : 'a number, e.g. 1e-5'), commit);
  return input;
}

function validated(input: HTMLInputElement, problem: (v: number) => string, commit: (v: number) => void): void {
  input.addEventListener('change', () => {
    const text = input.value.trim();
    const v = text === '' ? NaN : Number(text);
    const message = problem(v);
    input.setCustomValidity(message);
    input.setAttribute('aria-invalid', String(message !== ''));
    input.title = message;
    if (message) input.reportValidity();
    else commit(v);
  });
}
