/** One line of `lvlup doctor`: what was checked, what was found, and the command that fixes it. */
export interface CheckResult {
  readonly name: string;
  /** `fail`: something lvlup needs is missing or broken (doctor exits 1); `warn`: works, with less */
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  readonly detail: string;
  readonly fix?: string;
}

const LABELS: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function formatCheck(result: CheckResult, nameWidth: number): string {
  return `${LABELS[result.status]}  ${result.name.padEnd(nameWidth)}  ${result.detail}${result.fix ? ` — fix: ${result.fix}` : ''}`;
}
