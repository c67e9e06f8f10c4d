/** Feeds a byte range of a source to a lexer a window at a time, so text formats read files of any size in bounded memory. */
import type { ByteSource } from './byteSource';
import type { Lexer, TokenKind } from './lexer';
import { FormatError } from '../engine/errors';

export const LEX_WINDOW_BYTES = 1 << 20;

/**
 * Pushes [start, end) of `source` into `lex` and calls `onToken` for every token until it returns true (done) or
 * the range is exhausted and 'eof' has been handed over. Yields after each window so that a streaming caller can
 * hand out what the tokens produced before more is read.
 */
export async function* lexWindows(source: ByteSource, start: number, end: number, lex: Lexer,
  onToken: (kind: TokenKind) => boolean): AsyncGenerator<void> {
  let at = start;
  for (;;) {
    const want = Math.min(LEX_WINDOW_BYTES, end - at);
    const bytes = await source.read(at, want);
    if (bytes.byteLength !== want) {
      throw new FormatError(`The file ended at byte ${at + bytes.byteLength} while reading text up to byte ${end}: it was truncated or changed while being read.`);
    }
    at += want;
    lex.push(bytes, at >= end);
    for (let kind = lex.next(); kind !== null; kind = lex.next()) {
      if (onToken(kind) || kind === 'eof') return;
    }
    yield;
  }
}
