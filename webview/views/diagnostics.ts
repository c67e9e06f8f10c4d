/** The engine's findings; those about one channel select it when activated. */
import type { Ctx, View } from '../ctx';
import { button, h } from '../dom';

const SEVERITY_WORDS = { error: 'Error', warning: 'Warning', info: 'Note' } as const;

export function diagnosticsView(ctx: Ctx): View {
  const items = ctx.result.diagnostics.map((d) => h('li', { class: `diag ${d.severity}`, 'data-code': d.code },
    h('span', { class: 'severity' }, `${SEVERITY_WORDS[d.severity]}: `),
    d.channel === undefined ? d.message : button(d.message, () => ctx.selectChannel(d.channel!), { class: 'link', 'data-channel': d.channel })));
  return {
    root: h('section', { class: 'diagnostics', 'aria-labelledby': 'diag-title' },
      h('h3', { id: 'diag-title' }, `Diagnostics (${items.length})`),
      items.length ? h('ul', { id: 'diagnostics' }, ...items) : h('p', { class: 'note' }, 'Nothing to report.')),
  };
}
