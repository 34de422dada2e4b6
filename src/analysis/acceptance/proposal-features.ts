/**
 * What the model knows about a proposal: only what the proposal itself says — never its status, its
 * review, or anything written after the verdict. Stored with every learning event as plain JSON.
 */
export interface ProposalFeatures {
  agent: string;
  rule_id: string | null;
  category: string | null;
  language: string;
  /** top directory and extension of the (first) changed file, e.g. `src/*.ts`; `*.md` at the root */
  path_pattern: string;
  /** top directory, or `.` at the root */
  directory: string;
  diff_size: number;
  additions: number;
  deletions: number;
  hunks: number;
  confidence: number | null;
  /** Sandbox's verdict (passed, fixed, regression, still-failing, error), null when not tested */
  test_verdict: string | null;
  /** findings the change introduces (Guardian's security gate); null when it was not scanned */
  guardian_delta: number | null;
  /**
   * the highest severity among the findings the change introduces (`low` … `critical`), null when it
   * introduces none or was not scanned. Absent from events stored before it existed (read as null).
   */
  guardian_severity?: string | null;
  /** findings of the old code the change removes (a security fix); null when it was not scanned */
  guardian_resolved?: number | null;
  repository_id: string | null;
}
