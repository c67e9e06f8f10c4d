/**
 * Runs engine jobs in the worker (started on first use, restarted after a crash) or, for tiny tensors, inline.
 * Each job gets one answer: its result, a typed error, or a rejection when the worker dies under it.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { CancelledError, UserError, type UserErrorArea } from '../engine/errors';
import { inspect } from '../engine/inspect/inspect';
import type { InspectOptions, InspectResult } from '../engine/inspect/types';
import { entryElements } from '../formats/elementSource';
import { withSourceEntry } from '../node/tensorFiles';
import type { FromWorker, Listing, ToWorker, WorkerError, WorkerSource } from '../shared/workerProtocol';
import { log } from './log';

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
  progress?: (fraction: number) => void;
  cancel: Int32Array;
}

export interface JobHandle<T> {
  promise: Promise<T>;
  cancel(): void;
}

export class EngineClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly workerPath: string) {}

  static forExtension(context: vscode.ExtensionContext): EngineClient {
    return new EngineClient(path.join(context.extensionPath, 'dist', 'worker.js'));
  }

  list(source: WorkerSource): JobHandle<Listing> {
    return this.start((id, cancel) => ({ type: 'list', id, source, cancel }));
  }

  /**
   * Statistics for `source`. `inline` runs them on this thread: only for tensors small enough that the whole
   * computation takes well under a millisecond (the `inlineComputeElements` setting).
   */
  inspect(source: WorkerSource, options: InspectOptions, progress?: (fraction: number) => void, inline = false): JobHandle<InspectResult> {
    if (inline) return { promise: withSourceEntry(source, (entry) => inspect(entryElements(entry), options)), cancel: () => undefined };
    return this.start((id, cancel) => ({ type: 'inspect', id, source, options, cancel }), progress);
  }

  normalizeToFile(source: WorkerSource, options: InspectOptions, outPath: string, progress?: (fraction: number) => void): JobHandle<string> {
    return this.start((id, cancel) => ({ type: 'normalize', id, source, options, outPath, cancel }), progress);
  }

  /** Test hook: makes the worker die as a crash would; pending jobs are rejected and the next job restarts it. */
  crashForTest(): void {
    this.worker?.postMessage({ type: 'crash' } satisfies ToWorker);
  }

  private start<T>(make: (id: number, cancel: SharedArrayBuffer) => ToWorker, progress?: (fraction: number) => void): JobHandle<T> {
    const id = this.nextId++;
    const buffer = new SharedArrayBuffer(4);
    const cancel = new Int32Array(buffer);
    const promise = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress, cancel });
    });
    this.ensureWorker().postMessage(make(id, buffer));
    return {
      promise,
      cancel: () => {
        Atomics.store(cancel, 0, 1);
      },
    };
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (e) => {
      log().error(`engine worker error: ${e.stack ?? e.message}`);
      this.failAll(worker, new UserError('engine', `The engine worker failed (${e.message}). Retry to start a new one.`));
    });
    worker.on('exit', (code) => {
      if (code !== 0) log().warn(`engine worker exited with code ${code}`);
      this.failAll(worker, new UserError('engine', `The engine worker stopped unexpectedly (exit code ${code}) while computing. Retry to start a new one.`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private onMessage(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        p.progress?.(m.fraction);
        return;
      case 'listed':
        this.pending.delete(m.id);
        p.resolve(m.listing);
        return;
      case 'inspected':
        this.pending.delete(m.id);
        p.resolve(m.result);
        return;
      case 'normalized':
        this.pending.delete(m.id);
        p.resolve(m.path);
        return;
      case 'failed':
        this.pending.delete(m.id);
        p.reject(toError(m.error));
        return;
      default: {
        const never: never = m;
        log().error(`unknown worker message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    const worker = this.worker;
    if (worker) {
      this.failAll(worker, new CancelledError());
      void worker.terminate();
    }
  }
}

function toError(e: WorkerError): Error {
  if (e.area === 'cancelled') return new CancelledError();
  if (e.area) return new UserError(e.area as UserErrorArea, e.message);
  const err = new Error(e.message);
  err.stack = e.stack;
  return err;
}
