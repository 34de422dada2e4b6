import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest, RawReplyDefaultExpression } from 'fastify';
import type { LoggerOptions } from 'pino';

const CENSOR = '[Redacted]';
const SECRET_HEADERS = ['authorization', 'cookie', 'x-api-key', 'proxy-authorization'] as const;

/**
 * Fields hidden wherever they appear at the top level of a logged object. Request bodies are never
 * logged, so there is no need for wildcard paths, which make every log call markedly slower.
 */
export const REDACTED_FIELDS = ['password', 'secret', 'token', 'access_token', 'refresh_token', 'api_key', 'key'];

const SECRET_QUERY_PARAMETERS = /([?&](?:token|access_token|api_key|key)=)[^&#]*/gi;

/** Request headers for the log, with credentials replaced (done here rather than by pino's redaction: cheaper). */
export function loggableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of SECRET_HEADERS) if (copy[name] !== undefined) copy[name] = CENSOR;
  return copy;
}

export function loggerOptions(level: string, format: 'json' | 'pretty'): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_FIELDS, censor: CENSOR },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: request.url.replace(SECRET_QUERY_PARAMETERS, `$1${CENSOR}`),
        remoteAddress: request.ip,
        headers: loggableHeaders(request.headers),
      }),
      res: (reply: RawReplyDefaultExpression) => ({ statusCode: reply.statusCode }),
    },
    ...(format === 'pretty' ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
}
