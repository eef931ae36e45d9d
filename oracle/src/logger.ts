// pino logger with snake_case fields. Secrets are redacted by path wherever they could appear, so a
// passphrase, a private key or an API key never reaches a log line even if someone logs the config.
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

export const redactPaths = [
  "passphrase",
  "password",
  "private_key",
  "privateKey",
  "api_key",
  "apiKey",
  "secret",
  "*.passphrase",
  "*.keystorePassphrase",
  "*.cosignSecret",
  "*.privateKey",
  "*.private_key",
  "*.apiKey",
  "*.api_key",
  "*.secret",
  "req.headers.authorization",
  "req.headers[\"x-api-key\"]",
  "req.headers[\"x-riskgate-signature\"]",
];

export type CreateLoggerParameters = {
  level?: string;
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  destination?: DestinationStream;
  name?: string;
};

export function createLogger({ level = "info", destination, name = "riskgate" }: CreateLoggerParameters = {}): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: redactPaths, censor: "[redacted]" },
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
