/**
 * The part of the WebAssembly JS API the engine's kernels use. The engine compiles against ES2022 and Node's
 * types, neither of which declares `WebAssembly` (lib.dom does, but the engine must not see the DOM).
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, Memory>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}
