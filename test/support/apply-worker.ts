// A process for test/process/crash-safety.test.ts: `node --import tsx test/support/apply-worker.ts <repository>
// <worktree root> <commit>`. Enters the scratch checkout that applying a proposal works in, reports
// `{"event":"inside","tree":…}` on stdout and then waits there until it is killed.
import { withScratchWorktree } from '../../src/proposals/apply/scratch-worktree.js';

const [repository, root, commit] = process.argv.slice(2) as [string, string, string];
await withScratchWorktree(repository, root, commit, async (worktree) => {
  process.stdout.write(`${JSON.stringify({ event: 'inside', tree: worktree.tree })}\n`);
  // A pending promise alone does not keep a process alive (it would exit with code 13): an interval does.
  await new Promise(() => setInterval(() => undefined, 60_000));
});
