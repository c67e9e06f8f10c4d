/**
 * Safe element builders. Every string from a file (tensor names, metadata, messages) reaches the page as a text
 * node or an attribute value, never as markup; `h` refuses inline styles and inline handlers, which the CSP
 * would block anyway, so that a mistake fails loudly here instead of silently in the page.
 */
type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style' || name.startsWith('on')) throw new Error(`h(): '${name}' attributes are not allowed`);
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

let nextId = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix: string): string {
  return `${prefix}-${++nextId}`;
}

/** A labeled control: `<label for>` + the control, wrapped for layout. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLDivElement {
  control.id ||= uid('ctl');
  const hintEl = hint ? h('span', { class: 'hint', id: uid('hint') }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

export function select<T extends string>(options: ReadonlyArray<{ value: T; label: string; disabled?: boolean }>, value: T,
  onChange: (v: T) => void): HTMLSelectElement {
  const s = h('select', {}, ...options.map((o) => h('option', { value: o.value, disabled: o.disabled }, o.label)));
  s.value = value;
  s.addEventListener('change', () => onChange(s.value as T));
  return s;
}

export function checkbox(label: string, checked: boolean, onChange: (v: boolean) => void, attrs: Attrs = {}): HTMLLabelElement {
  const input = h('input', { type: 'checkbox', ...attrs });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return h('label', { class: 'check' }, input, ` ${label}`);
}
