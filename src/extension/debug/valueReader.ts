/**
 * Reads one debug value, in one paused frame, into a `.npy` held in a SharedArrayBuffer (the worker reads it
 * uncopied). Python, and JavaScript in Node, write the file themselves: into a fresh temporary folder of the
 * host's, read once and deleted whatever happens. Other JavaScript debuggees (browsers, sandboxes without
 * `process`), or Node when the file cannot be shared, hand the data over in base64 chunks through `evaluate`;
 * the host writes the `.npy` header and places each chunk.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DTYPE_BYTES } from '../../engine/dtype';
import { CancelledError, UserError } from '../../engine/errors';
import { elementCount } from '../../engine/tensor';
import { encodeNpy } from '../../formats/npy';
import { log } from '../log';
import { evaluate, movedOnError, type EvaluateContext } from './dap';
import { javascriptExpression, javascriptKeys } from './javascriptProgram';
import { pythonExpression } from './pythonProgram';
import { failureError, isFailure, parseDescription, parseSaved, unwrapReply, type Description, type Failure, type Saved } from './replies';
import { sampledShape } from './sampling';
import { formatValuePath, type DebugLanguage, type ValuePath } from './valuePath';

/**
 * Bytes per JavaScript `evaluate`. js-debug shows `repl` strings up to 100,000 characters only; chunks travel
 * in the `clipboard` context, which it returns whole. Each chunk crosses the workbench twice as JSON, so fewer,
 * larger chunks are faster; 4 MB keeps any single message moderate.
 */
export const JAVASCRIPT_CHUNK_BYTES = 4 << 20;

/** A value read from the debuggee. */
export interface ReadValue {
  /** The `.npy` bytes. */
  bytes: SharedArrayBuffer;
  shape: number[];
  /** The temporary file the debuggee wrote (already deleted), for the record. */
  tempFile?: string;
}

export class DebugValueReader {
  /** The path as the user reads it, for messages and titles. */
  readonly expression: string;

  constructor(readonly session: vscode.DebugSession, readonly language: DebugLanguage, readonly path: ValuePath) {
    this.expression = formatValuePath(path, language);
  }

  /** Type, shape and dtype, before anything large moves. */
  async describe(frameId: number): Promise<Description> {
    const expression = this.language === 'python'
      ? pythonExpression({ op: 'describe', path: this.path })
      : javascriptExpression(this.path.root, { op: 'describe', keys: javascriptKeys(this.path) });
    const reply = unwrapReply(await this.evaluate(frameId, expression, 'repl'));
    if (reply.kind !== 'json') throw new Error('the debuggee answered a description with data');
    const description = this.check(parseDescription(reply.value));
    if (description.littleEndian === false) {
      throw new UserError('debug', `${this.subject} lives in a big-endian JavaScript engine; NormScope reads little-endian data only.`);
    }
    return description;
  }

  /** The value (or its strided sample `steps`) as `.npy` bytes. */
  async read(frameId: number, description: Description, steps: number[] | null, token?: vscode.CancellationToken,
    progress?: (fraction: number) => void): Promise<ReadValue> {
    if (this.language === 'python') {
      return this.readThroughFile(frameId, (file) => pythonExpression({ op: 'save', path: this.path, file, steps }));
    }
    if (description.canWrite) {
      const shape = sampledShape(description.shape, steps);
      const header = Buffer.from(encodeNpy(description.target, shape, new Uint8Array(0))).toString('base64');
      const keys = javascriptKeys(this.path);
      try {
        return await this.readThroughFile(frameId, (file) => javascriptExpression(this.path.root, { op: 'save', keys, file, header, steps }));
      } catch (e) {
        if (!(e instanceof FileNotShared)) throw e;
        log().info(`${this.expression}: ${e.message}; reading it through the debug protocol instead`);
      }
    }
    return this.readChunks(frameId, description, steps, token, progress);
  }

  private get subject(): string {
    return `\`${this.expression}\``;
  }

  private async evaluate(frameId: number, expression: string, context: EvaluateContext): Promise<string> {
    try {
      return await evaluate(this.session, frameId, expression, context);
    } catch (e) {
      const moved = movedOnError(e);
      if (moved !== e) throw moved;
      // a JavaScript root that is not defined fails before the program runs
      if (this.language === 'javascript' && e instanceof Error && /ReferenceError|is not defined/.test(e.message)) {
        throw failureError({ code: 'undefined', message: e.message }, this.expression, this.language);
      }
      throw e;
    }
  }

  private check<T extends Description | Saved>(reply: T | Failure): T {
    if (!isFailure(reply)) return reply;
    const upTo = reply.step === undefined ? undefined
      : formatValuePath({ root: this.path.root, steps: this.path.steps.slice(0, reply.step + 1) }, this.language);
    throw failureError(reply, this.expression, this.language, upTo);
  }

  /** Has the debuggee write the `.npy` (the expression `save(file)` asks for it) to a fresh file of ours, and reads it. */
  private async readThroughFile(frameId: number, save: (file: string) => string): Promise<ReadValue> {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'normscope-debug-'));
    const file = path.join(dir, 'value.npy');
    try {
      const reply = unwrapReply(await this.evaluate(frameId, save(file), 'repl'));
      if (reply.kind !== 'json') throw new Error('the debuggee answered a save with data');
      const saved = parseSaved(reply.value);
      if (isFailure(saved) && saved.code === 'write' && this.language === 'javascript') throw new FileNotShared(saved.message);
      const { shape, bytes } = this.check(saved);
      return { bytes: await this.readWhole(file, bytes), shape, tempFile: file };
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
      if (fs.existsSync(dir)) log().warn(`could not delete the temporary folder ${dir}`);
    }
  }

  /** Reads `file` whole into shared memory, checking it is the size the debuggee reported. */
  private async readWhole(file: string, expected: number): Promise<SharedArrayBuffer> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (this.language === 'javascript') throw new FileNotShared(`${file} was written on the debuggee's machine, not here`);
      throw new UserError('debug', `The debuggee saved ${this.subject} to ${file}, but that file does not exist here: the debugged program runs on `
        + 'another machine or in a container, where NormScope cannot read its files. Inspect variables of a local Python process.');
    }
    try {
      const size = (await handle.stat()).size;
      if (size !== expected) throw new Error(`${file} has ${size} bytes, the debuggee wrote ${expected}`);
      const bytes = new SharedArrayBuffer(size);
      const view = new Uint8Array(bytes);
      for (let offset = 0; offset < size;) {
        const { bytesRead } = await handle.read(view, offset, Math.min(size - offset, 64 << 20), offset);
        if (bytesRead === 0) throw new Error(`${file} ended at ${offset} of ${size} bytes`);
        offset += bytesRead;
      }
      return bytes;
    } finally {
      await handle.close();
    }
  }

  private async readChunks(frameId: number, description: Description, steps: number[] | null,
    token?: vscode.CancellationToken, progress?: (fraction: number) => void): Promise<ReadValue> {
    const shape = sampledShape(description.shape, steps);
    const itemBytes = DTYPE_BYTES[description.target];
    const elements = elementCount(shape);
    const header = encodeNpy(description.target, shape, new Uint8Array(0));
    const bytes = new SharedArrayBuffer(header.byteLength + elements * itemBytes);
    const view = new Uint8Array(bytes);
    view.set(header, 0);
    const perChunk = Math.max(1, Math.floor(JAVASCRIPT_CHUNK_BYTES / itemBytes));
    const keys = javascriptKeys(this.path);
    for (let start = 0; start < elements; start += perChunk) {
      if (token?.isCancellationRequested) throw new CancelledError();
      const count = Math.min(perChunk, elements - start);
      const expression = javascriptExpression(this.path.root, { op: 'chunk', keys, start, count, steps });
      const reply = unwrapReply(await this.evaluate(frameId, expression, 'clipboard'));
      if (reply.kind === 'json') {
        this.check(parseDescription(reply.value)); // a failure (the value changed type, …) throws here
        throw new Error('the debuggee answered a chunk request with a description');
      }
      if (reply.value.byteLength !== count * itemBytes) {
        throw new Error(`chunk ${start}+${count} of ${this.expression}: ${reply.value.byteLength} bytes instead of ${count * itemBytes} (truncated by the adapter?)`);
      }
      view.set(reply.value, header.byteLength + start * itemBytes);
      progress?.((start + count) / elements);
    }
    return { bytes, shape };
  }
}

/** The JavaScript debuggee cannot share a file with the host (no `fs`, another machine): chunks it is. */
class FileNotShared extends Error {}
