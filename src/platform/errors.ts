/**
 * Errors that map to an HTTP status and the JSON body of DESIGN.md §2.8:
 * `{ "error": { "code", "message", "path"? } }`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, id: string) => new AppError(404, 'not_found', `${what} ${id} not found`);
