/** The page's only channel to the host: typed posting and the persisted UI state. */
import type { FromWebview } from '../src/shared/protocol';
import { markOnce } from './marks';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: FromWebview): void {
  api.postMessage(message);
  markOnce(`posted ${message.type}`);
}

export function loadState(): unknown {
  return api.getState();
}

export function saveState(state: unknown): void {
  api.setState(state);
}
