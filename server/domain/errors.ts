// Errors are values with codes at module edges; the HTTP and socket layers map codes to responses.
export type ErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  /** A part the request needs (the routing leader) is briefly out of reach: try again. */
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (why: string) => new AppError('FORBIDDEN', why);

/** A request field that is well-formed but wrong (e.g. names a record that does not exist), shaped like a schema error. */
export const invalidField = (path: string, message: string) => new AppError('VALIDATION', `${path}: ${message}`, [{ path, message }]);
