/**
 * The engine worker: reads tensors from disk and runs the engine off the extension host's thread. One job at a
 * time; each checks its SharedArrayBuffer cancellation flag between chunks and reports progress at most every
 * 100 ms.
 */
import { parentPort } from 'node:worker_threads';
import { inspect, type RunControl } from '../engine/inspect/inspect';
import { isUserError } from '../engine/errors';
import { entryElements } from '../formats/elementSource';
import { listSource, withSourceEntry } from '../node/tensorFiles';
import { writeNormalizedNpy } from '../node/normalizedExport';
import type { FromWorker, ToWorker } from '../shared/workerProtocol';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

const post = (m: FromWorker) => port.postMessage(m);

function control(id: number, cancel: SharedArrayBuffer): RunControl {
  const flag = new Int32Array(cancel);
  let last = 0;
  return {
    isCancelled: () => Atomics.load(flag, 0) !== 0,
    progress: (fraction) => {
      const now = Date.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      post({ type: 'progress', id, fraction });
    },
  };
}

port.on('message', async (m: ToWorker) => {
  switch (m.type) {
    case 'crash':
      process.exit(70);
      return;
    case 'list':
      try {
        post({ type: 'listed', id: m.id, listing: await listSource(m.source) });
      } catch (e) {
        post({ type: 'failed', id: m.id, error: describe(e) });
      }
      return;
    case 'inspect':
      try {
        const result = await withSourceEntry(m.source, (entry) => inspect(entryElements(entry), m.options, control(m.id, m.cancel)));
        post({ type: 'inspected', id: m.id, result });
      } catch (e) {
        post({ type: 'failed', id: m.id, error: describe(e) });
      }
      return;
    case 'normalize':
      try {
        await withSourceEntry(m.source, (entry) => writeNormalizedNpy(entry, m.options, m.outPath, control(m.id, m.cancel)));
        post({ type: 'normalized', id: m.id, path: m.outPath });
      } catch (e) {
        post({ type: 'failed', id: m.id, error: describe(e) });
      }
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown worker message ${JSON.stringify(never)}`);
    }
  }
});

function describe(e: unknown): { area?: string; message: string; stack?: string } {
  if (isUserError(e)) return { area: e.area, message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: err.message, stack: err.stack };
}
