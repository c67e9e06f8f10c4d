// What the integration suites share: the extension's test API, and waiting for results that arrive once the
// webview has loaded and asked for them.
import * as vscode from 'vscode';
import type { NormScopeApi } from '../../src/extension/extension';
import type { InspectorSession } from '../../src/extension/inspectorSession';
import { EXTENSION_ID } from '../../src/extension/ids';

export async function normScope(): Promise<NormScopeApi> {
  return vscode.extensions.getExtension<NormScopeApi>(EXTENSION_ID)!.activate();
}

/** Polls until `get` returns a value. */
export async function waitFor<T>(get: () => T | undefined, what: string, ms = 60000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The open inspector whose tab title starts with `title`. */
export function sessionTitled(api: NormScopeApi, title: string): InspectorSession | undefined {
  for (const [panel, session] of api.sessions) if (panel.title.startsWith(title)) return session;
  return undefined;
}
