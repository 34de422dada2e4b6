import type { Role, Scope } from './roles.js';

/** Who is calling: a signed-in user (access token) or an API key, with the scopes in force. */
export interface Principal {
  readonly type: 'user' | 'api_key';
  readonly id: string;
  readonly label: string;
  readonly userId: string | undefined;
  readonly role: Role | undefined;
  readonly scopes: ReadonlySet<Scope>;
  /** the sign-in an access token belongs to (its refresh token family); none for API keys */
  readonly sessionId?: string | undefined;
}
