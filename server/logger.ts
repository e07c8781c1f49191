import { pino, type Logger } from 'pino';

/** JSON logs on stdout. Anything that looks like a secret is redacted wherever it appears. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'omnidesk' },
    redact: {
      paths: ['*.password', '*.token', '*.credentials', '*.secret', '*.authorization', 'password', 'token', 'credentials'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
