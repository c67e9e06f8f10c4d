/**
 * Entry of the inspector page: styles, the app, the host's messages, and the error funnel (anything thrown in
 * the page is reported to the host's log as `webviewError`).
 */
import './style.css';
import type { ToWebview } from '../src/shared/protocol';
import { App } from './app';
import { markOnce } from './marks';
import { post } from './vscodeApi';

markOnce('script');

function report(message: string): void {
  post({ type: 'webviewError', message: message.slice(0, 16000) });
}

window.addEventListener('error', (e) => report(`${e.message} (${e.filename}:${e.lineno}:${e.colno})`));
window.addEventListener('unhandledrejection', (e) => report(`Unhandled rejection: ${String(e.reason)}`));

const root = document.getElementById('app');
if (!root) throw new Error('the page has no #app element');
const app = new App(root);
window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = e.data;
  if (typeof m !== 'object' || m === null || typeof (m as { type?: unknown }).type !== 'string') return;
  const type = (m as ToWebview).type;
  markOnce(`received ${type}`);
  try {
    app.handle(m as ToWebview);
    // the frame after the first result (or preview of one) is when its charts reach the screen
    if (type === 'result') {
      const what = (m as Extract<ToWebview, { type: 'result' }>).partial ? 'preview' : 'result';
      markOnce(`${what} rendered`);
      requestAnimationFrame(() => markOnce(`${what} on screen`));
    }
  } catch (err) {
    report(err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err));
  }
});
post({ type: 'ready' });
