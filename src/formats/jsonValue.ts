/** Small JSON documents (a safetensors header) parsed into values, iteratively and with bounded depth. */
import { JsonSyntax, type JsonHandler } from './jsonSyntax';
import { Lexer } from './lexer';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Parses `bytes` as one JSON value. Duplicate keys are refused: which one a reader keeps is undefined. */
export function parseJson(bytes: Uint8Array, what: string, maxDepth: number, origin = 0): JsonValue {
  const lex = new Lexer(what, 'byte', origin);
  const containers: (JsonValue[] | JsonObject)[] = [];
  const keys: string[] = [];
  let result: JsonValue = null;
  const place = (value: JsonValue, depth: number) => {
    if (depth === 0) {
      result = value;
      return;
    }
    const parent = containers[depth - 1];
    if (Array.isArray(parent)) parent.push(value);
    else parent[keys[depth - 1]] = value;
  };
  const handler: JsonHandler = {
    open(kind, depth) {
      const container: JsonValue[] | JsonObject = kind === '[' ? [] : Object.create(null);
      place(container, depth - 1);
      containers[depth - 1] = container;
    },
    close(_kind, depth) {
      containers.length = depth - 1;
    },
    key(name, depth) {
      if (Object.prototype.hasOwnProperty.call(containers[depth - 1], name)) lex.fail(`duplicate key "${name.slice(0, 80)}"`);
      keys[depth - 1] = name;
    },
    scalar(depth) {
      if (lex.kind === 'number') place(lex.value, depth);
      else if (lex.kind === 'string') place(lex.text, depth);
      else place(lex.text === 'null' ? null : lex.text === 'true', depth);
    },
  };
  const syntax = new JsonSyntax(lex, handler, maxDepth);
  lex.push(bytes, true);
  for (let kind = lex.next(); kind !== null; kind = lex.next()) {
    if (syntax.feed(kind)) break;
  }
  return result;
}
