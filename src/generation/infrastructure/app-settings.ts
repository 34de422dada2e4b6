// What the generated backend reads from its environment, as the frontend's dev server, the container files
// and the README describe it. The backend generator must keep to the same names and defaults.

/** The port the backend listens on when PORT is unset. */
export const DEFAULT_PORT = 3000;

export interface EnvironmentVariable {
  readonly name: string;
  readonly meaning: string;
}

export const ENVIRONMENT: readonly EnvironmentVariable[] = [
  { name: 'PORT', meaning: `the port the server listens on (default ${DEFAULT_PORT})` },
  { name: 'HOST', meaning: 'the address the server listens on (default 127.0.0.1; the container files set 0.0.0.0)' },
  { name: 'LISTEN_SOCKET', meaning: 'a Unix socket path to listen on instead of PORT and HOST' },
  {
    name: 'DATABASE_URL',
    meaning: 'a PostgreSQL connection string; when unset the app keeps its data in an embedded PostgreSQL (PGlite)',
  },
  {
    name: 'DATA_DIR',
    meaning:
      'where the embedded database keeps its files when DATABASE_URL is unset; with neither, the data lives in memory only',
  },
];
