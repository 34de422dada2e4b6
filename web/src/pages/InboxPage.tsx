import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useLocation, useParams, useSearch } from 'wouter';
import { api } from '../api/client';
import { INBOX_PAGE_SIZE, inboxFiltersOf, inboxListQuery, type InboxFilters } from './inbox-query';
import { useSession } from '../api/session';
import { AI_TYPES, OPEN_STATUSES, PROPOSAL_STATUSES, type Repository } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';
import { StatusBadge } from '../components/StatusBadge';

const ProposalView = lazy(() => import('./ProposalView'));

const STATUS_VIEWS = [
  { label: 'Open', value: OPEN_STATUSES.join(',') },
  { label: 'Tests passed', value: 'test-passed' },
  { label: 'Tests failed', value: 'test-failed' },
  { label: 'Untested', value: 'pending,testing' },
  { label: 'Accepted', value: 'accepted' },
  { label: 'Applied', value: 'applied,apply-failed' },
  { label: 'Rejected', value: 'rejected' },
  { label: 'All', value: PROPOSAL_STATUSES.join(',') },
];

/**
 * The review inbox: proposals ranked by the learned acceptance score, filtered through the URL's query
 * (so a view can be bookmarked), with the selected proposal beside the list. Keys: j/k next and previous,
 * o or Enter open, x select for a batch, a accept, r reject.
 */
export function InboxPage() {
  const session = useSession();
  const canReview = session.can('proposals:write');
  const params = useParams<{ id?: string }>();
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => inboxFiltersOf(search), [search]);
  const [limit, setLimit] = useState(INBOX_PAGE_SIZE);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState(0);

  const list = useQuery({ ...inboxListQuery(filters, limit), placeholderData: (previous) => previous });
  const repositories = useQuery({
    queryKey: ['repositories'],
    queryFn: () => api<Repository[]>('/api/v1/repositories', { query: { limit: 500 } }),
    enabled: session.can('repos:read'),
  });
  const repositoryName = useCallback(
    (id: string | null) =>
      id ? (repositories.data?.find((repository) => repository.id === id)?.name ?? id.slice(0, 8)) : '—',
    [repositories.data],
  );

  const rows = list.data?.rows ?? [];
  const openId = params.id;
  const setFilter = (name: keyof InboxFilters, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`/inbox${openId ? `/${openId}` : ''}?${next.toString()}`);
  };
  const open = useCallback((id: string) => navigate(`/inbox/${id}${search ? `?${search}` : ''}`), [navigate, search]);

  useEffect(() => {
    if (openId) {
      const index = rows.findIndex((row) => row.id === openId);
      if (index >= 0) setCursor(index);
    }
  }, [openId, rows]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      if (['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName) || event.ctrlKey || event.metaKey || event.altKey)
        return;
      if (rows.length === 0) return;
      if (event.key === 'j' || event.key === 'k') {
        const next = Math.max(0, Math.min(rows.length - 1, cursor + (event.key === 'j' ? 1 : -1)));
        setCursor(next);
        open(rows[next]!.id);
        document.getElementById(`proposal-row-${rows[next]!.id}`)?.focus();
      } else if (
        event.key === 'o' ||
        (event.key === 'Enter' && target.tagName !== 'BUTTON' && target.tagName !== 'A')
      ) {
        open(rows[cursor]!.id);
      } else if (event.key === 'x') {
        const id = rows[cursor]!.id;
        setSelected((current) => {
          const next = new Set(current);
          if (next.has(id)) next.delete(id);
          else next.add(id);
          return next;
        });
      } else if ((event.key === 'a' || event.key === 'r') && canReview && openId) {
        document.getElementById(event.key === 'a' ? 'verdict-accept' : 'verdict-reject')?.click();
      } else {
        return;
      }
      event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, cursor, open, canReview, openId]);

  return (
    <div className="inbox">
      <section className="inbox-list" aria-labelledby="inbox-heading">
        <h1 id="inbox-heading">
          Inbox <span className="muted small">{list.data ? `${list.data.total} proposals` : ''}</span>
        </h1>
        <div className="filters" role="group" aria-label="Filters">
          <label>
            Status
            <select value={filters.status} onChange={(e) => setFilter('status', e.target.value)}>
              {STATUS_VIEWS.map((view) => (
                <option key={view.label} value={view.value}>
                  {view.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Agent
            <select value={filters.ai_type} onChange={(e) => setFilter('ai_type', e.target.value)}>
              <option value="">Any</option>
              {AI_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </label>
          <label>
            Repository
            <select value={filters.repository_id} onChange={(e) => setFilter('repository_id', e.target.value)}>
              <option value="">Any</option>
              {(repositories.data ?? []).map((repository) => (
                <option key={repository.id} value={repository.id}>
                  {repository.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Rule
            <input
              type="search"
              placeholder="rule id"
              defaultValue={filters.rule_id}
              onKeyDown={(e) => e.key === 'Enter' && setFilter('rule_id', e.currentTarget.value.trim())}
              onBlur={(e) =>
                e.currentTarget.value.trim() !== filters.rule_id && setFilter('rule_id', e.currentTarget.value.trim())
              }
            />
          </label>
        </div>
        {canReview && selected.size > 0 && <BatchBar ids={[...selected]} onDone={() => setSelected(new Set())} />}
        <ProblemMessage error={list.error} />
        {list.isPending && <p aria-busy="true">Loading proposals…</p>}
        {list.data && rows.length === 0 && <p className="empty">Nothing to review with these filters.</p>}
        <ol className="proposal-rows">
          {rows.map((row, index) => (
            <li key={row.id} className={`${row.id === openId ? 'open' : ''} ${index === cursor ? 'cursor' : ''}`}>
              {canReview && (
                <input
                  type="checkbox"
                  aria-label={`Select ${row.rule_id ?? row.file_path}`}
                  checked={selected.has(row.id)}
                  onChange={() =>
                    setSelected((current) => {
                      const next = new Set(current);
                      if (next.has(row.id)) next.delete(row.id);
                      else next.add(row.id);
                      return next;
                    })
                  }
                />
              )}
              <a
                id={`proposal-row-${row.id}`}
                href={`/inbox/${row.id}${search ? `?${search}` : ''}`}
                onClick={(event) => {
                  event.preventDefault();
                  setCursor(index);
                  open(row.id);
                }}
              >
                <span className="row-title">{row.description ?? row.rule_id ?? row.file_path}</span>
                <span className="row-meta">
                  <StatusBadge status={row.status} /> {row.ai_type} · {repositoryName(row.repository_id)} ·{' '}
                  {row.file_path} · <span className="add">+{row.additions}</span>{' '}
                  <span className="del">−{row.deletions}</span>
                </span>
              </a>
              <span className="score" title="learned acceptance score">
                {row.acceptance_score === null ? '—' : `${Math.round(row.acceptance_score * 100)}%`}
              </span>
            </li>
          ))}
        </ol>
        {list.data && rows.length < list.data.total && (
          <button
            type="button"
            className="secondary"
            onClick={() => setLimit((current) => Math.min(500, current + INBOX_PAGE_SIZE))}
          >
            Show more
          </button>
        )}
        <p className="muted small keys">Keys: j/k next/previous · o open · x select · a accept · r reject</p>
      </section>
      <section className="inbox-detail" aria-label="Proposal">
        {openId ? (
          <Suspense fallback={<p aria-busy="true">Loading proposal…</p>}>
            <ProposalView id={openId} repositoryName={repositoryName} />
          </Suspense>
        ) : (
          <p className="empty">Choose a proposal to review it.</p>
        )}
      </section>
    </div>
  );
}

function BatchBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const batch = useMutation({
    mutationFn: (verdict: 'accept' | 'reject') =>
      api<{ results: { id: string; outcome: string }[] }>('/api/v1/proposals/batch-review', {
        method: 'POST',
        body: { ids, verdict, ...(reason ? { reason } : {}) },
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['proposals'] }),
  });
  const outcomes = batch.data?.results.reduce<Record<string, number>>((counts, result) => {
    counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
    return counts;
  }, {});
  return (
    <div className="batch" role="region" aria-label="Batch review">
      <span>{ids.length} selected</span>
      <label>
        Reason
        <select value={reason} onChange={(e) => setReason(e.target.value)}>
          <option value="">none</option>
          {[
            'correct',
            'valuable',
            'incorrect',
            'not_needed',
            'style',
            'too_risky',
            'duplicate',
            'tests_failed',
            'other',
          ].map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
      </label>
      <button type="button" disabled={batch.isPending} onClick={() => batch.mutate('accept')}>
        Accept selected
      </button>
      <button type="button" className="danger" disabled={batch.isPending} onClick={() => batch.mutate('reject')}>
        Reject selected
      </button>
      <button type="button" className="secondary" onClick={onDone}>
        Clear
      </button>
      {outcomes && (
        <span role="status">
          {Object.entries(outcomes)
            .map(([outcome, count]) => `${count} ${outcome}`)
            .join(', ')}
        </span>
      )}
      <ProblemMessage error={batch.error} />
    </div>
  );
}
