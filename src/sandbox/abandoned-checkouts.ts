import type { Config } from '../config/config.js';
import { removeAbandonedFolders } from '../git/scratch-folders.js';
import { APPLY_PREFIX, applyCheckoutRoot } from '../proposals/apply/scratch-worktree.js';
import { defaultWorkRoot, SANDBOX_PREFIX } from './work-tree.js';

/**
 * At start-up: removes the checkouts that processes killed mid-run left behind — apply checkouts in the
 * data folder (including work trees that versions before isolated checkouts registered in the user's
 * repository, whose entries are pruned) and sandbox work trees of this host's dead processes. Each apply
 * and each sandbox run also clears its own folder's leftovers before it starts.
 */
export async function removeAbandonedCheckouts(
  config: Pick<Config, 'dataDirectory' | 'sandboxWorkDirectory'>,
): Promise<string[]> {
  const applied = await removeAbandonedFolders(applyCheckoutRoot(config.dataDirectory), APPLY_PREFIX, {
    untagged: true,
  });
  const sandboxed = await removeAbandonedFolders(
    config.sandboxWorkDirectory ?? (await defaultWorkRoot()),
    SANDBOX_PREFIX,
  );
  return [...applied, ...sandboxed];
}
