/**
 * The one HTML page of every inspector: strict CSP (nothing but our nonce'd script and our stylesheet), no inline
 * data in markup. The host fills in URIs from `asWebviewUri`; the browser tests fill in file URLs.
 */
export interface PageResources {
  /** `webview.cspSource` (or the test origin). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
}

export function inspectorHtml(r: PageResources): string {
  const csp = [
    "default-src 'none'",
    `img-src ${r.cspSource} data: blob:`,
    `style-src ${r.cspSource}`,
    `font-src ${r.cspSource}`,
    `script-src 'nonce-${r.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(r.styleUri)}">
<title>${escapeText(r.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="status">Loading NormScope…</p></main>
<script nonce="${escapeAttr(r.nonce)}" src="${escapeAttr(r.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 random alphanumerics per render, from the platform's CSPRNG. */
export function makeNonce(random: (bytes: Uint8Array) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(random(new Uint8Array(32)), (b) => alphabet[b % alphabet.length]).join('');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
