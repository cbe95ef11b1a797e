import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { formatPath } from '../../events/envelope.ts';
import { AppError } from '../errors.ts';
import type { App } from './context.ts';

export interface ErrorBody {
  error: { code: string; message: string; path?: string; [k: string]: unknown };
}

/** `/a/0/b` (JSON pointer) → `a[0].b` */
function pointerToPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return formatPath(parts);
}

/** Every error leaves as `{ error: { code, message, path? } }` with the right status (DESIGN.md §2.8). */
export function registerErrorHandling(app: App): void {
  app.setErrorHandler((err: FastifyError | AppError | ZodError, req, reply) => {
    if (err instanceof AppError) {
      const body: ErrorBody = { error: { code: err.code, message: err.message, ...err.details } };
      if (err.path !== undefined) body.error.path = err.path;
      return reply.status(err.status).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const where = (err as { validationContext?: string }).validationContext ?? 'body';
      const path = first ? pointerToPath(first.instancePath) : '';
      return reply.status(400).send({
        error: {
          code: 'invalid_request',
          message: `${where}${path ? ` ${path}` : ''}: ${first?.message ?? 'invalid'}`,
          path: path || where,
          in: where,
        },
      });
    }
    if (err instanceof ZodError) {
      const first = err.issues[0];
      return reply.status(400).send({
        error: { code: 'invalid_request', message: first?.message ?? 'invalid', path: formatPath(first?.path ?? []) },
      });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = (err as FastifyError).code ?? 'bad_request';
      return reply.status(status).send({ error: { code: code.replace(/^FST_ERR_/, '').toLowerCase(), message: err.message } });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
