/** No agent has the id (404 `not_found`, as for the other objects without a code of their own). */
export class AgentNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(readonly agentId: string) {
    super(`No agent ${agentId}`);
    this.name = 'AgentNotFoundError';
  }
}

/**
 * A change to an agent that its state forbids (409): `agent_not_registered`, `agent_name_taken`,
 * `agent_not_declarative`, `agent_busy`. `extensions` are facts for the client (e.g. the name taken).
 */
export class AgentRefusedError extends Error {
  constructor(
    readonly code: 'agent_not_registered' | 'agent_name_taken' | 'agent_not_declarative' | 'agent_busy',
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AgentRefusedError';
  }
}
