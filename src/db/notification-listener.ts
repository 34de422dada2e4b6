import pg from 'pg';

const RECONNECT_DELAY_MS = 1000;

/**
 * LISTEN needs a connection of its own that stays open: a pooled client would take its subscriptions
 * back to the pool with it. One client serves every channel of this process. When the connection drops,
 * it reconnects after a second and listens again; notifications sent while it was away are lost, which
 * is why every consumer also polls (workers) or replays from the stored log (event clients).
 */
export function createNotificationListener(url: string) {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({ connectionString: url, application_name: 'lvlup-listener' });
    next.on('notification', (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    next.on('error', () => drop(next));
    next.on('end', () => drop(next));
    await next.connect();
    for (const channel of handlers.keys()) await next.query(`LISTEN ${quote(channel)}`);
    client = next;
    return next;
  };

  const drop = (dropped: pg.Client) => {
    if (client !== dropped) return;
    client = undefined;
    connecting = undefined;
    dropped.end().catch(() => undefined);
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (!closed && handlers.size > 0) ensure().catch(() => scheduleRetry());
    }, RECONNECT_DELAY_MS);
    reconnectTimer.unref();
  };

  const scheduleRetry = () => {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      ensure().catch(() => scheduleRetry());
    }, RECONNECT_DELAY_MS);
    reconnectTimer.unref();
  };

  const ensure = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client);
    connecting ??= connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  return {
    async listen(channel: string, onMessage: (payload: string) => void) {
      let channelHandlers = handlers.get(channel);
      const isNew = !channelHandlers;
      if (!channelHandlers) {
        channelHandlers = new Set();
        handlers.set(channel, channelHandlers);
      }
      channelHandlers.add(onMessage);
      const connection = await ensure();
      // LISTEN is idempotent, so a client whose connect() already listened to this channel may do it again.
      if (isNew) await connection.query(`LISTEN ${quote(channel)}`);
      return async () => {
        channelHandlers.delete(onMessage);
        if (channelHandlers.size > 0) return;
        handlers.delete(channel);
        await client?.query(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
      };
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
