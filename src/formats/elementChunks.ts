/** Encodes values parsed from text into whole-element chunks of bounded size, the shape every `stream` yields. */
import { writeElement } from './elementEncoder';
import { DTYPE_BYTES, type DType } from '../engine/dtype';

export class ElementChunks {
  private readonly width: number;
  private readonly step: number;
  private remaining: number;
  private chunk = new Uint8Array(0);
  private view = new DataView(this.chunk.buffer);
  private at = 0;
  private ready: Uint8Array[] = [];

  /** `count` elements of `dtype` in chunks of at most `maxChunkBytes` (at least one element each). */
  constructor(private readonly dtype: DType, count: number, maxChunkBytes: number) {
    this.width = DTYPE_BYTES[dtype];
    this.step = Math.max(1, Math.floor(maxChunkBytes / this.width)) * this.width;
    this.remaining = count * this.width;
  }

  /** Room for more elements: false once `count` have been written. */
  get full(): boolean {
    return this.remaining === 0 && this.at === this.chunk.length;
  }

  write(value: number, intText: string | undefined): void {
    if (this.at === this.chunk.length) {
      if (this.at > 0) this.ready.push(this.chunk);
      const size = Math.min(this.step, this.remaining);
      this.remaining -= size;
      this.chunk = new Uint8Array(size);
      this.view = new DataView(this.chunk.buffer);
      this.at = 0;
    }
    writeElement(this.view, this.at, this.dtype, value, intText);
    this.at += this.width;
  }

  /** Chunks completed so far (and the last one once every element is written). */
  take(): Uint8Array[] {
    if (this.at > 0 && this.at === this.chunk.length && this.remaining === 0) {
      this.ready.push(this.chunk);
      this.chunk = new Uint8Array(0);
      this.at = 0;
    }
    const out = this.ready;
    this.ready = [];
    return out;
  }
}
