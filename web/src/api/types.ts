// The API's objects as the dashboard reads them (docs/openapi.json has the full schemas).
export type Role = 'admin' | 'maintainer' | 'reviewer' | 'viewer';

export interface User {
  id: string;
  email: string;
  role: Role;
  display_name: string | null;
  disabled: boolean;
  created_at: string;
}

export interface Me {
  type: 'user' | 'api_key';
  id: string;
  label: string;
  role: Role | null;
  scopes: string[];
  user: User | null;
}

export const PROPOSAL_STATUSES = [
  'pending',
  'testing',
  'test-passed',
  'test-failed',
  'accepted',
  'rejected',
  'applied',
  'apply-failed',
  'expired',
  'superseded',
] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
export const OPEN_STATUSES: ProposalStatus[] = ['pending', 'testing', 'test-passed', 'test-failed', 'accepted'];
export const AI_TYPES = ['imperium', 'guardian', 'sandbox', 'conquest'] as const;

export interface ProposalSummary {
  id: string;
  ai_type: (typeof AI_TYPES)[number];
  repository_id: string | null;
  status: ProposalStatus;
  description: string | null;
  rule_id: string | null;
  category: string | null;
  confidence: number | null;
  acceptance_score: number | null;
  file_path: string;
  hunks: number;
  additions: number;
  deletions: number;
  base_commit: string | null;
  applied_commit: string | null;
  applied_branch: string | null;
  pull_request_url: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Finding {
  status: 'introduced' | 'resolved' | 'scan_error';
  file_path?: string;
  rule_id?: string;
  severity?: string;
  line?: number;
  message?: string;
  remediation?: string;
  cwe?: string | null;
}

export interface Proposal extends ProposalSummary {
  rationale: string | null;
  diff: string;
  changes: { file_path: string }[];
  test_results: Record<string, unknown> | null;
  findings: Finding[] | null;
  security: { scanned: boolean; introduced: number; resolved: number; scan_errors: number; blocking: boolean };
  review: { reason: string | null; note: string | null; reviewer: string | null; reviewed_at: string | null } | null;
  apply_error: { message: string; conflicts: string[] } | null;
  pull_request_error: string | null;
  superseded_by: string | null;
  history: {
    from: ProposalStatus | null;
    to: ProposalStatus;
    actor: string | null;
    reason: string | null;
    note: string | null;
    at: string;
  }[];
}

export interface SandboxRun {
  id: string;
  kind: 'proposal' | 'baseline';
  commit: string;
  status: 'passed' | 'failed' | 'error';
  isolation: string;
  duration_ms: number;
  started_at: string;
  results: {
    command: string;
    exit_code: number | null;
    signal: string | null;
    duration_ms: number;
    limit: string | null;
    output_head: string;
    output_tail: string;
    output_bytes: number;
    truncated: boolean;
  }[];
}

export interface Repository {
  id: string;
  name: string;
  source: string;
  clone_url: string | null;
  path: string | null;
  default_branch: string;
  head_commit: string | null;
  check_commands: string[];
  last_synced_at: string | null;
  created_at: string;
}

export interface Task {
  id: string;
  agent_type: string;
  status: string;
  trigger: string;
  input: unknown;
  result: unknown;
  error: unknown;
  progress: number | null;
  attempts: number;
  max_attempts: number;
  retry_of: string | null;
  cancel_requested: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface TaskLogLine {
  id: number;
  attempt: number;
  level: string;
  message: string;
  at: string;
}

export interface AgentStatus {
  id: string;
  type: string;
  name: string;
  description: string | null;
  status: string;
  last_error: string | null;
  next_run: string | null;
  queue_depth: number;
  running: number;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface EventEnvelope {
  id: string;
  type: string;
  topic: string;
  data: Record<string, unknown>;
  timestamp: string;
}

export interface TokenCount {
  calls: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
  template: string | null;
  targets: string[];
  engine: string;
  status: 'draft' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  run: number;
  current_stage: string | null;
  failure: { code: string; message: string; stage?: string } | null;
  token_usage: { run: TokenCount; all_runs: TokenCount };
  repository_id: string | null;
  owner_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ProjectStage {
  stage: string;
  position: number;
  status: string;
  run: number;
  task_id: string | null;
  attempts: number;
  commit: string | null;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface Artifact {
  id: string;
  stage: string;
  run: number;
  kind: string;
  name: string;
  media_type: string;
  size: number;
  created_at: string;
}

export interface Deployment {
  id: string;
  project_id: string | null;
  slug: string;
  commit: string;
  status: 'pending' | 'building' | 'testing' | 'running' | 'failed' | 'stopped';
  url: string | null;
  proxy_path: string | null;
  port: number | null;
  started_at: string | null;
  restarts: number;
  last_health: { ok: boolean; status: number | null; latency_ms: number | null; error?: string; at: string } | null;
  failure: { code: string; message: string } | null;
  created_at: string;
}

export interface DeploymentLogLine {
  id: number;
  at: string;
  source: string;
  line: string;
}
