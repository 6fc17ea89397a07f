import { pino, type Logger } from 'pino';

/** Structured JSON logs on stdout; secrets are redacted wherever they may appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'capstan' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'password', 'secret', '*.password', '*.secret'],
      censor: '[redacted]',
    },
  });
}
