/**
 * Colours come only from VS Code's `--vscode-*` theme variables. chart.js draws on a canvas and cannot use CSS
 * variables, so they are resolved to concrete colours here and re-read whenever VS Code switches the theme
 * (it changes the body class: vscode-light, vscode-dark, vscode-high-contrast, vscode-high-contrast-light).
 */
export interface Palette {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  error: string;
  /** Raw values, normalized values, running statistics, the activation curve, extra series. */
  raw: string;
  normalized: string;
  running: string;
  keras: string;
  curve: string;
  fontFamily: string;
  fontSize: number;
  highContrast: boolean;
  /** Fill under histograms: translucent, or none in high contrast where outlines must carry the shape. */
  fill(color: string): string;
}

let probe: HTMLElement | undefined;

/** Any CSS colour as rgb()/rgba(), through the browser's own parser (a CSSOM assignment, allowed by the CSP). */
function resolveColor(css: string, fallback: string): string {
  probe ??= document.body.appendChild(document.createElement('span'));
  probe.hidden = true;
  probe.style.color = '';
  probe.style.color = css || fallback;
  return getComputedStyle(probe).color || fallback;
}

function withAlpha(rgb: string, alpha: number): string {
  const m = /rgba?\(([^,]+),\s*([^,]+),\s*([^,)]+)/.exec(rgb);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})` : rgb;
}

function themeKind(): 'light' | 'dark' | 'high-contrast' | 'high-contrast-light' {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.body);
  const v = (name: string) => style.getPropertyValue(`--vscode-${name}`).trim();
  const foreground = resolveColor(v('foreground') || v('editor-foreground'), style.color);
  const color = (name: string, fallback = foreground) => resolveColor(v(name), fallback);
  const highContrast = themeKind().startsWith('high-contrast');
  return {
    foreground,
    muted: color('descriptionForeground'),
    background: color('editor-background', style.backgroundColor),
    grid: highContrast ? color('contrastBorder') : withAlpha(color('charts-lines'), 0.35),
    error: color('errorForeground'),
    raw: color('charts-blue'),
    normalized: color('charts-orange'),
    running: color('charts-green'),
    keras: color('charts-purple'),
    curve: color('charts-red'),
    fontFamily: v('font-family') || style.fontFamily,
    fontSize: parseFloat(v('font-size')) || 13,
    highContrast,
    fill: (c) => (highContrast ? 'transparent' : withAlpha(c, 0.25)),
  };
}

/** Calls `onChange` after each theme switch. */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
