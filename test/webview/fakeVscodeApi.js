// Loaded before the webview bundle, with the page's nonce: stands in for VS Code. `acquireVsCodeApi` records what
// the page posts and keeps its state in sessionStorage (so a reload is "hide and reopen the panel"); messages to
// the page go through JSON as VS Code sends them (NaN and ±Inf arrive as null; typed arrays as binary, intact). `__harness` gives the tests what
// only the page can measure: canvas pixels, CSP violations, timings.
(() => {
  const posted = [];
  const violations = [];
  let gridAtArrival = null;
  const KEY = 'normscope-state';
  document.addEventListener('securitypolicyviolation', (e) => violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }));
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => JSON.parse(sessionStorage.getItem(KEY) ?? 'null'),
    setState: (s) => sessionStorage.setItem(KEY, JSON.stringify(s)),
  });
  // as VS Code's serializeWebviewMessage does: typed arrays travel as binary, everything else through JSON
  const asVsCodeSends = (m) => {
    const views = [];
    const json = JSON.stringify(m, (_k, v) => (ArrayBuffer.isView(v) ? { $view: views.push(v.slice()) - 1 } : v));
    return JSON.parse(json, (_k, v) => (v !== null && typeof v === 'object' && '$view' in v ? views[v.$view] : v));
  };
  const canvas = (selector) => {
    const c = document.querySelector(selector);
    if (!(c instanceof HTMLCanvasElement)) throw new Error(`no canvas at ${selector}`);
    return c;
  };
  window.__harness = {
    posted,
    violations,
    deliver: (m) => window.postMessage(asVsCodeSends(m), '*'),
    /** Pixels that differ from the canvas's background (its top-left pixel): > 0 once something is drawn. */
    ink(selector) {
      const c = canvas(selector);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 24) n++;
      }
      return n;
    },
    /** The canvas's top-left pixel as rgb(r, g, b): the background the chart painted. */
    backgroundPixel(selector) {
      const d = canvas(selector).getContext('2d').getImageData(1, 1, 1, 1).data;
      return `rgb(${d[0]}, ${d[1]}, ${d[2]})`;
    },
    /** Resolves a CSS colour the way the browser does, to compare with what was drawn. */
    resolveColor(css) {
      const probe = document.createElement('span');
      probe.style.color = css;
      document.body.appendChild(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    },
    /** The text of each cell of each row matched by `selector`. */
    cells: (selector) => [...document.querySelectorAll(selector)].map((tr) => [...tr.children].map((td) => td.textContent ?? '')),
    /** A row's cells by their data-key. */
    keyedCells: (selector) => Object.fromEntries([...document.querySelector(selector).querySelectorAll('td')].map((td) => [td.dataset.key, td.textContent ?? ''])),
    activeAttribute: (name) => document.activeElement?.getAttribute(name) ?? null,
    computedColor: (selector) => getComputedStyle(document.querySelector(selector)).color,
    setTheme(bodyClass, vars) {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
      document.body.className = bodyClass;
    },
    /** Moves a range input through `values`, timing each input event's synchronous handling (all the redrawing). */
    moveSlider(selector, values) {
      const input = document.querySelector(selector);
      const times = [];
      for (const v of values) {
        input.value = String(v);
        const t0 = performance.now();
        input.dispatchEvent(new Event('input', { bubbles: true }));
        times.push(performance.now() - t0);
      }
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return times;
    },
    /**
     * When the next result has been handled (the page's listener runs first), in that same task: notes the channel
     * grid's busy state and rows, presses `key` on its Tab stop, and notes them again; `gridAtArrival` returns it.
     */
    keyInGridOnArrival(key) {
      const onResult = (e) => {
        if (e.data?.type !== 'result') return;
        window.removeEventListener('message', onResult);
        const grid = document.querySelector('#channel-grid');
        const note = () => ({ busy: grid.getAttribute('aria-busy'), rows: grid.querySelectorAll('tbody tr').length });
        const before = note();
        grid.querySelector('tbody tr[tabindex="0"]').focus();
        document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
        gridAtArrival = { before, after: note(), focused: document.activeElement.getAttribute('data-channel') };
      };
      window.addEventListener('message', onResult);
    },
    gridAtArrival: () => gridAtArrival,
    /** Marks every element that Tab should reach and returns how many there are. */
    markTabStops() {
      const all = [...document.querySelectorAll('button, input, select, summary, [tabindex="0"]')].filter((el) =>
        !el.disabled && el.getClientRects().length > 0 && el.tabIndex >= 0 && !el.closest('[hidden], details:not([open]) > :not(summary)'));
      all.forEach((el, i) => el.setAttribute('data-tab-stop', String(i)));
      return all.map((el) => el.id || `${el.tagName.toLowerCase()}:${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40)}`);
    },
    activeTabStop() {
      return document.activeElement?.getAttribute('data-tab-stop') ?? null;
    },
    /** Appends an inline script: the CSP must refuse to run it. */
    injectInlineScript() {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true;';
      document.body.appendChild(s);
    },
    inlineRan: () => window.__inlineRan === true,
    throwLater(message) {
      setTimeout(() => { throw new Error(message); }, 0);
    },
  };
})();
