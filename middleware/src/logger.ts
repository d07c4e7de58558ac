/**
 * Structured logs (pino). Secrets are redacted twice: by path (headers, config fields) and by
 * value (every configured secret is scrubbed from any string that reaches a log line).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-docusign-signature-1"]',
  'req.headers["x-docusign-signature-2"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.apiKeys',
  '*.token',
  '*.accessToken',
  '*.privateKey',
  '*.password',
  '*.secret',
];

export function createLogger(options: {
  level: string;
  secrets?: string[];
  destination?: pino.DestinationStream;
}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join('[REDACTED]'), text);
  return pino(
    {
      level: options.level,
      base: { service: 'dealdesk-middleware' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: {
        // Value-based scrubbing catches secrets that end up inside messages or error text.
        streamWrite: secrets.length > 0 ? scrub : (s) => s,
      },
    },
    options.destination,
  );
}
