import { apiRequest } from '../api/client';
import { OPEN_STATUSES, type ProposalSummary } from '../api/types';

export const INBOX_PAGE_SIZE = 100;

export interface InboxFilters {
  status: string;
  ai_type: string;
  repository_id: string;
  rule_id: string;
}

export function inboxFiltersOf(search: string): InboxFilters {
  const params = new URLSearchParams(search);
  return {
    status: params.get('status') ?? OPEN_STATUSES.join(','),
    ai_type: params.get('ai_type') ?? '',
    repository_id: params.get('repository_id') ?? '',
    rule_id: params.get('rule_id') ?? '',
  };
}

/** The inbox list's query: shared by the page and the first-screen prefetch, so both hit one cache entry. */
export function inboxListQuery(filters: InboxFilters, limit: number) {
  return {
    queryKey: ['proposals', 'list', filters, limit] as const,
    queryFn: async () => {
      const response = await apiRequest<ProposalSummary[]>('/proposals', {
        query: { ...filters, sort: '-acceptance_score', limit },
      });
      return { rows: response.data, total: Number(response.headers.get('x-total-count') ?? response.data.length) };
    },
  };
}
