const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after every earlier piece of work on the same repository in this process has finished, so
 * a sync, a branch change and a delete never run git on one folder at the same time.
 */
export async function withRepositoryLock<T>(repositoryId: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(repositoryId) ?? Promise.resolve();
  const result = previous.then(work, work);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  tails.set(repositoryId, tail);
  try {
    return await result;
  } finally {
    if (tails.get(repositoryId) === tail) tails.delete(repositoryId);
  }
}
