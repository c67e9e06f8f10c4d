/**
 * Serves the built bundle and the harness page on 127.0.0.1. The page is `inspectorHtml` — the one template the
 * extension uses — with the fake VS Code API injected before the bundle under the same nonce.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { inspectorHtml, makeNonce } from '../../src/shared/html';

export interface Server {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export async function serve(root: string): Promise<Server> {
  const files: Record<string, string> = {
    '/dist/webview.js': path.join(root, 'dist/webview.js'),
    '/dist/webview.css': path.join(root, 'dist/webview.css'),
    '/harness/fakeVscodeApi.js': path.join(root, 'test/webview/fakeVscodeApi.js'),
  };
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/') {
      const nonce = makeNonce((b) => crypto.getRandomValues(b));
      const page = inspectorHtml({ cspSource: origin, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/dist/webview.css`, nonce, title: 'NormScope test' })
        .replace('<script nonce=', `<script nonce="${nonce}" src="${origin}/harness/fakeVscodeApi.js"></script>\n<script nonce=`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    const file = files[url];
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
