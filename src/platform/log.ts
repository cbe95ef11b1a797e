import type { LoggerOptions } from 'pino';

/**
 * Structured JSON logs. Secrets and customers' words never reach them: the
 * auth header, tokens, e-mail addresses and message bodies are redacted.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'token', '*.token', 'email', '*.email', 'body', '*.body'],
      censor: '[redacted]',
    },
  };
}
