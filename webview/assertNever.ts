/** The end of an exhaustive switch: a new union member fails type-checking here, and at run time says which. */
export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
