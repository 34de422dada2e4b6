import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** What Node's HTTP parser refuses, as a status and a problem code. */
function classify(error: NodeJS.ErrnoException): { status: number; code: string; detail: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'headers_too_large',
        detail: 'The request line and headers are larger than the server accepts; shorten the URL or headers.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', detail: 'The request was not received in time.' };
    default:
      return {
        status: 400,
        code: 'malformed_request',
        detail: `The request is not valid HTTP${error.code?.startsWith('HPE_') ? ` (${error.code})` : ''}.`,
      };
  }
}

/**
 * Answers requests that Node's HTTP parser refuses before Fastify sees them (an over-long URL or header,
 * malformed HTTP) with a problem document like every other error, then closes the connection, as Node does.
 * There is no request object, so the request id is made here.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, detail } = classify(error);
  const requestId = randomUUID();
  this.log.debug({ err: error, request_id: requestId }, `client error ${code}`);
  if (socket.writable) {
    const title = STATUS_CODES[status] ?? 'Bad Request';
    const body = JSON.stringify({ type: `/problems/${code}`, title, status, code, detail, request_id: requestId });
    // Ended rather than destroyed at once, so the answer is flushed before the connection closes.
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-ID: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
      () => socket.destroy(),
    );
  } else socket.destroy();
}
