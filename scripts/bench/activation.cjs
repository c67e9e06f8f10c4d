// Loads the production extension bundle and calls activate() with a stand-in for the `vscode` module (every API
// is a no-op proxy), printing the milliseconds of the two steps as JSON: what activation adds in the extension host.
const Module = require('node:module');
const path = require('node:path');

const handler = {
  get: (_t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : api),
  apply: () => api,
  construct: () => api,
};
const api = new Proxy(function vscode() {}, handler);
// bundlers copy a module's own properties: name the namespaces and classes the extension takes from `vscode`
const names = ['window', 'commands', 'workspace', 'debug', 'languages', 'env', 'extensions', 'Uri', 'EventEmitter', 'Disposable',
  'ProgressLocation', 'RelativePattern', 'ViewColumn', 'DebugStackFrame', 'DebugThread', 'CancellationTokenSource', 'ThemeColor'];
const vscode = Object.fromEntries(names.map((name) => [name, api]));
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};

const root = process.argv[2];
const t0 = performance.now();
const extension = require(path.join(root, 'dist', 'extension.js'));
const t1 = performance.now();
extension.activate({ subscriptions: [], extensionPath: root, extensionUri: api, globalState: api, workspaceState: api });
const t2 = performance.now();
console.log(JSON.stringify({ load: t1 - t0, activate: t2 - t1 }));
