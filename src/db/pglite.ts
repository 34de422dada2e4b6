import { PGlite, type Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { observed, type Database, type QueryObserver } from './database.js';
import * as schema from './schema.js';

/**
 * Opens the embedded database: file-backed in `dataDirectory`, or in memory when it is undefined.
 * The caller holds the data-folder lock; PGlite itself would let a second process open the same folder.
 */
export async function openPglite(
  dataDirectory: string | undefined,
  options: { loadDataDir?: Blob | File } = {},
): Promise<Database> {
  const client = await PGlite.create(dataDirectory, options);
  let observer: QueryObserver | undefined;
  const getObserver = () => observer;

  const instrument = <Client extends PGlite | Transaction>(target: Client): Client =>
    new Proxy(target, {
      get(object, property, receiver) {
        if (property === 'query') {
          return (text: string, ...rest: unknown[]) =>
            observed(getObserver, text, () =>
              (object.query as (...args: unknown[]) => Promise<unknown>)(text, ...rest),
            );
        }
        if (property === 'transaction' && object instanceof PGlite) {
          return <T>(work: (transaction: Transaction) => Promise<T>) =>
            object.transaction((transaction: Transaction) => work(instrument(transaction)));
        }
        const value: unknown = Reflect.get(object, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
      },
    });

  const instrumented = instrument(client);
  const orm = drizzle({ client: instrumented, schema });
  const query: Database['query'] = async <Row>(text: string, parameters: unknown[] = []) =>
    (await instrumented.query<Row>(text, parameters)).rows;

  return {
    kind: 'pglite',
    orm,
    query,
    withSession: (work) => work(query),
    observeQueries(next) {
      observer = next;
    },
    // One embedded database is one process (the data folder is locked), so its own notifications are all.
    listen: (channel, onMessage) => client.listen(channel, onMessage),
    close: () => client.close(),
  };
}
