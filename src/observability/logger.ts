import type { FastifyRequest, RawReplyDefaultExpression } from 'fastify';
import type { LoggerOptions } from 'pino';

/**
 * Paths hidden from every log line. Request headers are logged (they help debugging) but credentials in
 * them are not; body fields that commonly hold secrets are covered wherever a body ends up in a log.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.api_key',
  '*.key',
];

const SECRET_QUERY_PARAMETERS = /([?&](?:token|access_token|api_key|key)=)[^&#]*/gi;

export function loggerOptions(level: string, format: 'json' | 'pretty'): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: request.url.replace(SECRET_QUERY_PARAMETERS, '$1[Redacted]'),
        remoteAddress: request.ip,
        headers: request.headers,
      }),
      res: (reply: RawReplyDefaultExpression) => ({ statusCode: reply.statusCode }),
    },
    ...(format === 'pretty' ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
}
