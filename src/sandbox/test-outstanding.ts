import { untestedPendingProposals } from './run-store.js';
import { testProposal, type ProposalTestContext } from './test-proposal.js';

/** How many proposals one sweep tests; the next sweep takes the rest. */
const SWEEP_LIMIT = 25;

/**
 * The scheduled sandbox run: tests pending proposals that never got a sandbox result (created before
 * their repository had checks, or while no worker ran), oldest first.
 */
export async function testOutstandingProposals(
  context: ProposalTestContext,
  repositoryId: string | undefined,
): Promise<Record<string, unknown>> {
  const outstanding = await untestedPendingProposals(context.database.orm, repositoryId, SWEEP_LIMIT);
  const results = [];
  for (const { id } of outstanding) {
    context.signal.throwIfAborted();
    results.push(await testProposal(context, id));
  }
  const tested = results.filter((result) => 'verdict' in result).length;
  await context.log(`${tested} proposal(s) tested, ${results.length - tested} skipped`);
  return { proposals: results, tested, skipped: results.length - tested };
}
