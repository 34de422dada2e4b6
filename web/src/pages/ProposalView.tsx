import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { useSession } from '../api/session';
import type { Proposal, SandboxRun } from '../api/types';
import { DiffView } from '../components/DiffView';
import { ProblemMessage } from '../components/ProblemMessage';
import { StatusBadge } from '../components/StatusBadge';

const ACCEPT_REASONS = ['correct', 'valuable', 'other'];
const REJECT_REASONS = ['incorrect', 'not_needed', 'style', 'too_risky', 'duplicate', 'tests_failed', 'other'];
const REVIEWABLE = new Set(['pending', 'testing', 'test-passed', 'test-failed']);

/** One proposal: its change, tests, findings, rule and rationale, history, and the reviewer's verdict. */
export default function ProposalView({
  id,
  repositoryName,
}: {
  id: string;
  repositoryName: (id: string | null) => string;
}) {
  const session = useSession();
  const proposal = useQuery({ queryKey: ['proposals', 'one', id], queryFn: () => api<Proposal>(`/proposals/${id}`) });
  const runs = useQuery({
    queryKey: ['proposals', 'runs', id],
    queryFn: () => api<SandboxRun[]>('/sandbox/runs', { query: { proposal_id: id } }),
  });
  if (proposal.error) return <ProblemMessage error={proposal.error} />;
  if (!proposal.data) return <p aria-busy="true">Loading proposal…</p>;
  const p = proposal.data;
  return (
    <article className="proposal" aria-labelledby="proposal-title">
      <header>
        <h2 id="proposal-title">{p.description ?? p.rule_id ?? p.file_path}</h2>
        <p className="row-meta">
          <StatusBadge status={p.status} /> {p.ai_type} · {repositoryName(p.repository_id)} · rule{' '}
          <code>{p.rule_id ?? '—'}</code> · confidence {p.confidence ?? '—'} · acceptance{' '}
          {p.acceptance_score === null ? 'not scored' : `${Math.round(p.acceptance_score * 100)}%`}
          {p.base_commit && (
            <>
              {' '}
              · base <code>{p.base_commit.slice(0, 10)}</code>
            </>
          )}
        </p>
      </header>
      {session.can('proposals:write') && <Verdict proposal={p} />}
      <ApplyStatus proposal={p} />
      {p.rationale && (
        <section>
          <h3>Rationale</h3>
          <p className="rationale">{p.rationale}</p>
        </section>
      )}
      <section>
        <h3>Change</h3>
        <DiffView diff={p.diff} />
      </section>
      <section>
        <h3>Tests</h3>
        <ProblemMessage error={runs.error} />
        <SandboxRuns runs={runs.data} status={p.status} />
      </section>
      <Findings proposal={p} />
      <section>
        <h3>History</h3>
        <ol className="history">
          {p.history.map((entry, index) => (
            <li key={index}>
              <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time> {entry.from ?? 'new'} →{' '}
              <strong>{entry.to}</strong>
              {entry.actor && ` by ${entry.actor}`}
              {entry.reason && ` (${entry.reason})`}
              {entry.note && ` — ${entry.note}`}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

function Verdict({ proposal }: { proposal: Proposal }) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'accept' | 'reject'>();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const verdict = useMutation({
    mutationFn: (kind: 'accept' | 'reject') =>
      api<Proposal>(`/proposals/${proposal.id}/${kind}`, {
        method: 'POST',
        body: { ...(reason ? { reason } : {}), ...(note ? { note } : {}) },
      }),
    onSuccess: (updated) => {
      queryClient.setQueryData(['proposals', 'one', proposal.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['proposals'] });
      setMode(undefined);
    },
  });
  if (!REVIEWABLE.has(proposal.status)) return <ProblemMessage error={verdict.error} />;
  const reasons = mode === 'reject' ? REJECT_REASONS : ACCEPT_REASONS;
  return (
    <div className="verdict">
      <button
        id="verdict-accept"
        type="button"
        onClick={() => {
          setMode('accept');
          setReason('correct');
        }}
      >
        Accept…
      </button>
      <button
        id="verdict-reject"
        type="button"
        className="danger"
        onClick={() => {
          setMode('reject');
          setReason('incorrect');
        }}
      >
        Reject…
      </button>
      {mode && (
        <form
          className="verdict-form"
          aria-label={mode === 'accept' ? 'Accept proposal' : 'Reject proposal'}
          onSubmit={(event) => {
            event.preventDefault();
            verdict.mutate(mode);
          }}
        >
          <label>
            Reason
            <select value={reason} onChange={(e) => setReason(e.target.value)} autoFocus>
              {reasons.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          </label>
          <label>
            Note
            <input type="text" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit" className={mode === 'reject' ? 'danger' : ''} disabled={verdict.isPending}>
            Confirm {mode}
          </button>
          <button type="button" className="secondary" onClick={() => setMode(undefined)}>
            Cancel
          </button>
        </form>
      )}
      <ProblemMessage error={verdict.error} />
    </div>
  );
}

function ApplyStatus({ proposal }: { proposal: Proposal }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const apply = useMutation({
    mutationFn: () => api<Proposal>(`/proposals/${proposal.id}/apply`, { method: 'POST' }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['proposals'] }),
  });
  const canApply = session.can('repos:write') && (proposal.status === 'accepted' || proposal.status === 'apply-failed');
  return (
    <div className="apply-status">
      {proposal.applied_commit && (
        <p role="status">
          Applied as <code>{proposal.applied_commit.slice(0, 12)}</code> on branch{' '}
          <code>{proposal.applied_branch}</code>
        </p>
      )}
      {proposal.pull_request_url && (
        <p>
          Pull request: <a href={proposal.pull_request_url}>{proposal.pull_request_url}</a>
        </p>
      )}
      {proposal.pull_request_error && <p className="warning">Pull request failed: {proposal.pull_request_error}</p>}
      {proposal.apply_error && (
        <p className="warning">
          Apply failed: {proposal.apply_error.message}
          {proposal.apply_error.conflicts.length > 0 && ` (conflicts: ${proposal.apply_error.conflicts.join(', ')})`}
        </p>
      )}
      {proposal.review && (
        <p className="muted">
          Reviewed by {proposal.review.reviewer ?? 'unknown'}
          {proposal.review.reason && ` — ${proposal.review.reason}`}
          {proposal.review.note && `: ${proposal.review.note}`}
        </p>
      )}
      {canApply && (
        <button type="button" onClick={() => apply.mutate()} disabled={apply.isPending}>
          {apply.isPending ? 'Applying…' : 'Apply as a commit'}
        </button>
      )}
      <ProblemMessage error={apply.error} />
    </div>
  );
}

function SandboxRuns({ runs, status }: { runs: SandboxRun[] | undefined; status: string }) {
  if (!runs) return <p aria-busy="true">Loading test runs…</p>;
  if (runs.length === 0) {
    return <p className="muted">{status === 'testing' ? 'Tests are running…' : 'No Sandbox run for this proposal.'}</p>;
  }
  return (
    <>
      {runs.map((run) => (
        <div key={run.id} className={`run run-${run.status}`}>
          <p>
            <StatusBadge status={run.status} /> {run.kind} run at <code>{run.commit.slice(0, 10)}</code>,{' '}
            {run.duration_ms} ms, isolation {run.isolation}
          </p>
          {run.results.map((result, index) => (
            <details key={index} open={run.status !== 'passed'}>
              <summary>
                <code>{result.command}</code> — exit {result.exit_code ?? result.signal ?? '?'}
                {result.limit && `, stopped by the ${result.limit} limit`} ({result.duration_ms} ms)
              </summary>
              <pre className="output" tabIndex={0}>
                {result.output_head}
                {result.truncated ? `\n… ${result.output_bytes} bytes in all …\n` : ''}
                {result.truncated ? result.output_tail : ''}
              </pre>
            </details>
          ))}
        </div>
      ))}
    </>
  );
}

function Findings({ proposal }: { proposal: Proposal }) {
  const findings = proposal.findings;
  return (
    <section>
      <h3>Security</h3>
      {findings === null ? (
        <p className="muted">Not scanned.</p>
      ) : (
        <>
          <p className={proposal.security.blocking ? 'warning' : 'muted'}>
            {proposal.security.introduced} introduced, {proposal.security.resolved} resolved,{' '}
            {proposal.security.scan_errors} scan errors
            {proposal.security.blocking && ' — blocks auto-apply'}
          </p>
          {findings.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Where</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {findings.map((finding, index) => (
                  <tr key={index}>
                    <td>{finding.status}</td>
                    <td>{finding.severity ?? '—'}</td>
                    <td>
                      <code>{finding.rule_id ?? '—'}</code>
                    </td>
                    <td>
                      {finding.file_path}
                      {finding.line !== undefined && `:${finding.line}`}
                    </td>
                    <td>
                      {finding.message}
                      {finding.remediation && <span className="muted"> — {finding.remediation}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
