import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { DomainEvent } from '../../../events/bus.js';
import { mayRead } from '../../../accounts/topic-access.js';
import { taskRepresentation } from '../../../tasks/representation.js';
import { taskTopic } from '../../../tasks/task-events.js';
import { taskSnapshot } from '../../../tasks/task-snapshot-queries.js';
import { FINAL_STATUSES } from '../../../tasks/task-store.js';
import { authenticateWebSocket, POLICY_VIOLATION, sendJson } from '../../web-socket-auth.js';

/** How many of the latest log lines the snapshot carries; older ones are in the task's log endpoint. */
const SNAPSHOT_LOG_LINES = 100;
/** Close code for a task that does not exist (4000-4999 are the application's own). */
const NO_SUCH_TASK = 4404;

const FINAL_EVENTS = new Set<string>(FINAL_STATUSES.map((status) => `task.${status}`));

/**
 * `GET /ws/tasks/:task_id`: one task's snapshot (the task and its latest log lines), then every event on
 * its topic, closed with 1000 after the event of a final status (at once when the task is already over).
 * Registered inside the /ws plugin, which holds @fastify/websocket.
 */
export default async function webSocketTaskRoutes(app: FastifyInstance) {
  const { database, events: bus } = app.services;
  const options = { websocket: true, config: { auth: 'public', streaming: true }, schema: { hide: true } } as const;

  app.get<{ Params: { task_id: string } }>('/tasks/:task_id', options, (socket: WebSocket, request) => {
    let unsubscribe: (() => void) | undefined;
    socket.on('close', () => unsubscribe?.());
    const finish = () => socket.close(1000, 'task finished');

    const follow = async (topic: string, taskId: string) => {
      if (socket.readyState !== socket.OPEN) return;
      // Events are held back until the snapshot is sent: subscribing first means none falls between the
      // read and the subscription, and holding them keeps the snapshot first.
      let pending: DomainEvent[] | undefined = [];
      // Lines already in the snapshot are not sent again, whenever their event arrives: with a database bus
      // a line's event can reach this process only after the snapshot that already holds the line was sent.
      let lastLogId = 0;
      const forward = (event: DomainEvent) => {
        if (event.type === 'task.log' && Number(event.data.id) <= lastLogId) return;
        sendJson(socket, event);
        if (FINAL_EVENTS.has(event.type)) finish();
      };
      unsubscribe = bus.subscribe((event) => {
        if (event.topic !== topic) return;
        if (pending) pending.push(event);
        else forward(event);
      });
      const snapshot = await taskSnapshot(database.orm, taskId, SNAPSHOT_LOG_LINES);
      if (!snapshot) {
        socket.close(NO_SUCH_TASK, 'no such task');
        return;
      }
      const { task, logs } = snapshot;
      sendJson(socket, { type: 'snapshot', task: taskRepresentation(task), logs });
      if ((FINAL_STATUSES as readonly string[]).includes(task.status)) {
        finish();
        return;
      }
      // Status events that the snapshot already reflects are sent, harmlessly.
      lastLogId = logs.at(-1)?.id ?? 0;
      const held = pending;
      pending = undefined;
      for (const event of held) forward(event);
    };

    authenticateWebSocket(app, socket, request, {
      onAuthenticated: (principal) => {
        const verdict = mayRead(principal, taskTopic(request.params.task_id));
        if (verdict.allowed) {
          follow(verdict.topic, request.params.task_id.toLowerCase()).catch((error: unknown) => {
            request.log.error({ err: error }, 'could not stream a task');
            socket.close(1011, 'could not read the task');
          });
        } else if (verdict.code === 'forbidden') socket.close(POLICY_VIOLATION, 'needs the agents:read scope');
        else socket.close(NO_SUCH_TASK, 'no such task');
      },
      onMessage: () =>
        sendJson(socket, { type: 'error', code: 'bad_message', message: 'This feed takes no messages.' }),
    });
  });
}
