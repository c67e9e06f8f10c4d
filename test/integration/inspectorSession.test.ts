// The inspector session's messages, with a stand-in for the page: the init and the first view's answers are posted
// as the inspector opens, without waiting for the page's ready (VS Code holds them until the page has loaded); a page
// that asks again for the computation already running (it missed that init, or started again) takes the job over
// instead of restarting it. The engine is the extension's own, behind a gate that holds each job's answer.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EngineClient, InspectReports } from '../../src/extension/engineClient';
import { EXTENSION_ID } from '../../src/extension/ids';
import { InspectorSession } from '../../src/extension/inspectorSession';
import type { InitMessage, ToWebview } from '../../src/shared/protocol';
import { normScope, waitFor } from './helpers';

class PageStandIn {
  readonly posted: ToWebview[] = [];
  options: vscode.WebviewOptions = {};
  html = '';
  readonly cspSource = 'https://page.invalid';
  private readonly received = new vscode.EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: vscode.Uri): vscode.Uri {
    return uri;
  }
  postMessage(m: ToWebview): Thenable<boolean> {
    this.posted.push(m);
    return Promise.resolve(true);
  }
  send(m: unknown): void {
    this.received.fire(m);
  }
  all<T extends ToWebview['type']>(type: T): Extract<ToWebview, { type: T }>[] {
    return this.posted.filter((m): m is Extract<ToWebview, { type: T }> => m.type === type);
  }
}

/** The extension's engine, whose inspections answer only once `release` is called; counts jobs and cancellations. */
async function gatedEngine() {
  const real = (await normScope()).engine;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const counts = { jobs: 0, cancelled: 0 };
  /** The last job's reports, for a test to report progress as the job would. */
  const jobs: { reports?: InspectReports } = {};
  const engine = {
    list: (source: Parameters<EngineClient['list']>[0]) => real.list(source),
    inspect: (...args: Parameters<EngineClient['inspect']>) => {
      counts.jobs++;
      jobs.reports = args[2];
      const job = real.inspect(...args);
      return {
        promise: gate.then(() => job.promise),
        cancel: () => {
          counts.cancelled++;
          job.cancel();
        },
      };
    },
  } as unknown as EngineClient;
  return { engine, counts, release, jobs };
}

/**
 * An inspector on the workspace's activations.npy with a stand-in page and a gated engine; `body` gets them with the
 * init the session posted as it opened. The gate opens and the session closes whatever `body` does.
 */
async function withSession(body: (s: {
  page: PageStandIn; session: InspectorSession; first: InitMessage; expected: { channels: { mean: number }[] };
} & Awaited<ReturnType<typeof gatedEngine>>) => Promise<void>): Promise<void> {
  const gated = await gatedEngine();
  const dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = path.join(dir, 'activations.npy');
  const page = new PageStandIn();
  const session = new InspectorSession(page as unknown as vscode.Webview, { kind: 'file', path: file, tensor: '' },
    { kind: 'file', label: 'activations.npy', detail: file }, gated.engine, vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri);
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { channels: { mean: number }[] };
  try {
    const first = await waitFor(() => page.all('init')[0], 'the init posted as the inspector opened');
    await body({ ...gated, page, session, first, expected });
  } finally {
    gated.release();
    session.dispose();
  }
}

suite('inspector session', () => {
  test('posts init as it opens; a page asking again for the running first view takes that job over', () => withSession(async (s) => {
    const { page, first, counts, jobs } = s;
    assert.ok(first.computing !== undefined && first.computing < 0, 'the host computes the first view under an id of its own');
    assert.strictEqual(first.answersReady, undefined);
    page.send({ type: 'ready' });
    const answer = await waitFor(() => page.all('init')[1], 'the init answering ready');
    assert.strictEqual(answer.answersReady, true);
    assert.strictEqual(answer.computing, undefined, 'the first view is not announced twice');
    // a page that never got the first init asks for the same view
    page.send({ type: 'compute', requestId: 1, tensor: answer.selected, options: answer.options });
    await waitFor(() => page.all('progress').find((m) => m.requestId === 1), 'progress under the page\'s id');
    // the job's later progress goes to the page's request too
    jobs.reports!.progress!(0.5);
    assert.deepStrictEqual(page.all('progress').at(-1), { type: 'progress', requestId: 1, fraction: 0.5 });
    s.release();
    const result = await waitFor(() => page.all('result').find((m) => !m.partial), 'the result');
    assert.strictEqual(result.requestId, 1, 'the result answers the page\'s request');
    assert.deepStrictEqual(counts, { jobs: 1, cancelled: 0 }, 'one job, never restarted');
    const shown = s.session.lastResult!.result;
    s.expected.channels.forEach((e, c) => assert.ok(Math.abs(shown.channel.before[c].mean - e.mean) <= 1e-9 * Math.abs(e.mean) + 1e-12,
      `channel ${c} mean ${shown.channel.before[c].mean} vs numpy ${e.mean}`));
  }));

  test('after a reload, a request for the same view starts afresh: the running job read the file as it was', () => withSession(async (s) => {
    const { page, first, counts } = s;
    page.send({ type: 'reload' });
    await waitFor(() => page.all('init')[1], 'the init of the reloaded file');
    page.send({ type: 'compute', requestId: 1, tensor: first.selected, options: first.options });
    await waitFor(() => (counts.jobs === 2 ? true : undefined), 'a second job');
    assert.strictEqual(counts.cancelled, 1, 'the stale job was cancelled');
    s.release();
    await waitFor(() => page.all('result').find((m) => !m.partial && m.requestId === 1), 'the result');
  }));

  test('a request for other options cancels the running job and starts its own', () => withSession(async (s) => {
    const { page, first, counts } = s;
    page.send({ type: 'compute', requestId: 1, tensor: first.selected, options: { ...first.options, bins: 64 } });
    await waitFor(() => (counts.jobs === 2 ? true : undefined), 'a second job');
    assert.strictEqual(counts.cancelled, 1, 'the first view was cancelled');
    s.release();
    await waitFor(() => page.all('result').find((m) => !m.partial && m.requestId === 1), 'the result');
    assert.strictEqual(s.session.lastResult!.result.options.bins, 64);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepStrictEqual(page.all('result').map((m) => m.requestId), [1], 'the cancelled first view shows nothing');
  }));
});
