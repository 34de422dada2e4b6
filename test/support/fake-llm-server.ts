import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChangeSource } from './events.js';

/**
 * A local server that speaks the two wire formats lvlup's providers use: OpenAI's chat completions
 * (`POST /v1/chat/completions`, also what Ollama and other compatible servers speak) and Anthropic's messages
 * (`POST /v1/messages`), as JSON or as server-sent events when the request says `stream: true`. The shapes
 * follow the providers' API references and the AI SDK's parsing schemas (@ai-sdk/openai's
 * openaiChatResponseSchema / openaiChatChunkSchema, @ai-sdk/anthropic's anthropicMessagesResponseSchema /
 * anthropicMessagesChunkSchema). Each test scripts the replies, in order, and reads the requests received.
 */

export type FakeReply =
  /** an answer: plain text */
  | { readonly kind: 'text'; readonly text: string; readonly inputTokens?: number; readonly outputTokens?: number }
  /**
   * a JSON answer (structured output): as text content, or as Anthropic's `json` tool call when the request
   * offered that tool (the AI SDK does for models without native structured output)
   */
  | { readonly kind: 'json'; readonly value: unknown; readonly inputTokens?: number; readonly outputTokens?: number }
  /** an HTTP error in the provider's error format, with optional headers (Retry-After) */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly message?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** a 200 whose body is not JSON (or, streaming, an event whose data is not JSON) */
  | { readonly kind: 'malformed'; readonly body?: string };

export type Scripted = FakeReply & {
  /** wait this long before answering (for timeouts) */
  readonly delayMs?: number;
};

export interface RecordedRequest {
  readonly api: 'openai' | 'anthropic';
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown> & {
    model?: string;
    stream?: boolean;
    messages?: { role: string; content: unknown }[];
  };
}

export interface FakeLlmServer {
  /** the server's origin, e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** base URL for OPENAI_BASE_URL, ANTHROPIC_BASE_URL, OLLAMA_BASE_URL, … (`<origin>/v1`) */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** tells its listeners each time a request has been recorded */
  readonly arrivals: ChangeSource;
  /** queues replies; a request with none queued gets a plain text answer `default answer` */
  reply(...replies: Scripted[]): void;
  /** replies still queued */
  pending(): number;
  /** forgets queued replies and recorded requests */
  reset(): void;
  close(): Promise<void>;
}

const CREATED = 1_750_000_000;

function words(text: string): string[] {
  const pieces = text.match(/\S+\s*|\s+/g) ?? [text];
  return pieces.length ? pieces : [''];
}

function openaiUsage(input: number, output: number) {
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function anthropicUsage(input: number, output: number) {
  return {
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    service_tier: 'standard',
  };
}

const sse = (response: ServerResponse) => {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
};

function openaiReply(request: RecordedRequest, reply: FakeReply, response: ServerResponse, sequence: number) {
  const model = request.body.model ?? 'unknown';
  const id = `chatcmpl-fake${sequence}`;
  if (reply.kind === 'error') {
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(
      JSON.stringify({
        error: {
          message: reply.message ?? `fake error ${reply.status}`,
          type: reply.status === 429 ? 'requests' : 'server_error',
          param: null,
          code: reply.status === 429 ? 'rate_limit_exceeded' : null,
        },
      }),
    );
    return;
  }
  if (reply.kind === 'malformed') {
    if (request.body.stream) {
      sse(response);
      response.end(`data: ${reply.body ?? '{"id": "chatcmpl-broken", "choices": [{'}\n\n`);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(reply.body ?? '{"id": "chatcmpl-broken", "choices": [{"message": ');
    return;
  }
  const text = reply.kind === 'text' ? reply.text : JSON.stringify(reply.value);
  const input = reply.inputTokens ?? 10;
  const output = reply.outputTokens ?? 5;
  if (!request.body.stream) {
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${sequence}` });
    response.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: openaiUsage(input, output),
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
      }),
    );
    return;
  }
  sse(response);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n`;
  response.write(
    chunk([
      { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
    ]),
  );
  for (const piece of words(text)) {
    response.write(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
  }
  response.write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
  const options = request.body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) response.write(chunk([], { usage: openaiUsage(input, output) }));
  response.end('data: [DONE]\n\n');
}

function anthropicReply(request: RecordedRequest, reply: FakeReply, response: ServerResponse, sequence: number) {
  const model = request.body.model ?? 'unknown';
  const id = `msg_fake${sequence}`;
  if (reply.kind === 'error') {
    const type = reply.status === 429 ? 'rate_limit_error' : reply.status === 529 ? 'overloaded_error' : 'api_error';
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(
      JSON.stringify({ type: 'error', error: { type, message: reply.message ?? `fake error ${reply.status}` } }),
    );
    return;
  }
  if (reply.kind === 'malformed') {
    if (request.body.stream) {
      sse(response);
      response.end(`event: message_start\ndata: ${reply.body ?? '{"type": "message_start", "message": {'}\n\n`);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(reply.body ?? '{"type": "message", "content": [');
    return;
  }
  const tools = (request.body.tools as { name?: string }[] | undefined) ?? [];
  const asTool = reply.kind === 'json' && tools.some((tool) => tool.name === 'json');
  const text = reply.kind === 'text' ? reply.text : JSON.stringify(reply.value);
  const input = reply.inputTokens ?? 10;
  const output = reply.outputTokens ?? 5;
  const block = asTool
    ? { type: 'tool_use', id: `toolu_fake${sequence}`, name: 'json', input: (reply as { value: unknown }).value }
    : { type: 'text', text };
  const stopReason = asTool ? 'tool_use' : 'end_turn';
  if (!request.body.stream) {
    response.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${sequence}` });
    response.end(
      JSON.stringify({
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [block],
        stop_reason: stopReason,
        stop_sequence: null,
        usage: anthropicUsage(input, output),
      }),
    );
    return;
  }
  sse(response);
  const event = (name: string, data: Record<string, unknown>) =>
    response.write(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`);
  event('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...anthropicUsage(input, 1) },
    },
  });
  if (asTool) {
    event('content_block_start', {
      index: 0,
      content_block: { type: 'tool_use', id: block.id, name: 'json', input: {} },
    });
    event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: text } });
  } else {
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    event('ping', {});
    for (const piece of words(text))
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: output },
  });
  event('message_stop', {});
  response.end();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const queue: Scripted[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const listeners = new Set<() => void>();
  const server = createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request);
      const path = (request.url ?? '/').split('?')[0]!;
      const api = path.endsWith('/chat/completions') ? 'openai' : path.endsWith('/messages') ? 'anthropic' : undefined;
      if (request.method !== 'POST' || !api) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `no route ${request.method} ${path}` } }));
        return;
      }
      let body: RecordedRequest['body'];
      try {
        body = JSON.parse(raw) as RecordedRequest['body'];
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'the request body is not JSON' } }));
        return;
      }
      const recorded: RecordedRequest = { api, path, headers: request.headers, body };
      requests.push(recorded);
      for (const listener of listeners) listener();
      const sequence = requests.length;
      const scripted: Scripted = queue.shift() ?? { kind: 'text', text: 'default answer' };
      const answer = () =>
        api === 'openai'
          ? openaiReply(recorded, scripted, response, sequence)
          : anthropicReply(recorded, scripted, response, sequence);
      if (scripted.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) answer();
        }, scripted.delayMs);
        timers.add(timer);
      } else {
        answer();
      }
    })();
  });
  // Idle connections stay open until the client closes them: a server closing one just as the client reuses
  // it fails that request ("other side closed"), which would make tests flaky on a loaded machine.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    requests,
    arrivals: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reply: (...replies) => {
      queue.push(...replies);
    },
    pending: () => queue.length,
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
