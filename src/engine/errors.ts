/**
 * Errors a user can cause (a bad file, an impossible operation) are `UserError`s: their message says what is
 * wrong in the user's terms and what to do. Anything else that is thrown is a bug and is logged as one.
 */
export type UserErrorArea = 'format' | 'engine' | 'literal' | 'debug' | 'io' | 'cancelled';

export class UserError extends Error {
  constructor(readonly area: UserErrorArea, message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A tensor file or selection that cannot be read: truncated, lying header, unsupported dtype, bomb. */
export class FormatError extends UserError {
  constructor(message: string) {
    super('format', message);
    this.name = 'FormatError';
  }
}

/** An operation that cannot run on the given tensor and options (shape mismatch, groups, one value per channel). */
export class EngineError extends UserError {
  constructor(message: string) {
    super('engine', message);
    this.name = 'EngineError';
  }
}

/** The user (or a newer request for the same view) cancelled the work. Not shown as an error. */
export class CancelledError extends UserError {
  constructor() {
    super('cancelled', 'Cancelled.');
    this.name = 'CancelledError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
