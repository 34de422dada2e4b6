import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from './guardian/finding.js';
import {
  compareFindings,
  flaggedText,
  scanProposalChanges,
  securityGateFailure,
  securitySummary,
  type LocatedFinding,
} from './security-gate.js';

const finding = (ruleId: string, line: number, severity: Finding['severity'] = 'high'): Finding => ({
  rule_id: ruleId,
  issue_type: 'code_injection',
  cwe: 'CWE-95',
  severity,
  confidence: 'high',
  line,
  column: 1,
  end_line: line,
  end_column: 10,
  message: 'm',
  remediation: 'r',
});
const located = (ruleId: string, line: number, snippet: string): LocatedFinding => ({
  finding: finding(ruleId, line),
  snippet,
});

describe('compareFindings', () => {
  it('matches by rule and whitespace-normalised text, not by line', () => {
    const before = [located('js.code-injection', 3, 'eval(req.query.x)')];
    const after = [located('js.code-injection', 9, 'eval( req.query.x )')];
    assert.deepEqual(compareFindings(before, after), { introduced: [], resolved: [] });
  });

  it('counts occurrences: a second copy of the same flagged text is introduced', () => {
    const before = [located('js.code-injection', 3, 'eval(x)')];
    const after = [located('js.code-injection', 3, 'eval(x)'), located('js.code-injection', 7, 'eval(x)')];
    const { introduced, resolved } = compareFindings(before, after);
    assert.deepEqual(
      introduced.map((entry) => entry.finding.line),
      [7],
    );
    assert.deepEqual(resolved, []);
  });

  it('tells a different rule or text apart, and lists what the change removes', () => {
    const before = [located('js.code-injection', 3, 'eval(x)'), located('js.sql-injection', 5, 'db.query(q + id)')];
    const after = [located('js.command-injection', 3, 'eval(x)'), located('js.sql-injection', 5, 'db.query(q + ids)')];
    const { introduced, resolved } = compareFindings(before, after);
    assert.deepEqual(
      introduced.map((entry) => entry.finding.rule_id),
      ['js.command-injection', 'js.sql-injection'],
    );
    assert.deepEqual(
      resolved.map((entry) => entry.finding.rule_id),
      ['js.code-injection', 'js.sql-injection'],
    );
  });
});

describe('flaggedText', () => {
  it('cuts the flagged range out of one or several lines', () => {
    const code = 'const a = 1;\nrun(eval(x));\nfoo(1,\n  2);\n';
    assert.equal(flaggedText(code, { line: 2, column: 5, end_line: 2, end_column: 12 }), 'eval(x)');
    assert.equal(flaggedText(code, { line: 3, column: 1, end_line: 4, end_column: 5 }), 'foo(1,\n  2)');
  });
});

describe('scanProposalChanges', () => {
  it('reports what the new code introduces, and nothing for a moved line or an unsupported file', async () => {
    const vulnerable = 'const x = 1;\neval(req.query.x);\n';
    const introduced = await scanProposalChanges([
      { file_path: 'app.js', code_before: 'const x = 1;\n', code_after: vulnerable },
      { file_path: 'notes.txt', code_before: 'a\n', code_after: 'eval(req.query.x)\n' },
    ]);
    assert.deepEqual(
      introduced.map((entry) => [entry.status, entry.file_path, entry.rule_id, entry.line, entry.snippet]),
      [['introduced', 'app.js', 'js.code-injection', 2, 'eval(req.query.x)']],
    );
    assert.match(
      securityGateFailure(introduced) ?? '',
      /introduces 1 high or critical security finding .*js\.code-injection at app\.js:2/,
    );
    assert.equal(securitySummary(introduced).blocking, true);

    const moved = await scanProposalChanges([
      {
        file_path: 'app.js',
        code_before: vulnerable,
        code_after: '// moved\n\n' + vulnerable.replace('x = 1', 'x = 2'),
      },
    ]);
    assert.deepEqual(moved, []);
    assert.equal(securityGateFailure(moved), undefined);
    assert.deepEqual(securitySummary(null), {
      scanned: false,
      introduced: 0,
      resolved: 0,
      scan_errors: 0,
      blocking: false,
    });
  });

  it('reports files over the size limits as scan errors, which block', async () => {
    const limits = { maxFileChars: 40, maxTotalChars: 60 };
    const findings = await scanProposalChanges(
      [
        { file_path: 'big.js', code_before: '', code_after: 'x'.repeat(41) },
        { file_path: 'a.js', code_before: 'const a = 1;\n', code_after: 'const a = 2;\n' },
        { file_path: 'b.py', code_before: 'a = 1\n'.repeat(4), code_after: 'a = 2\n'.repeat(4) },
        { file_path: 'c.md', code_before: 'x'.repeat(100), code_after: 'y'.repeat(100) },
      ],
      undefined,
      limits,
    );
    assert.deepEqual(
      findings.map((entry) => [entry.status, entry.file_path]),
      [
        ['scan_error', 'big.js'],
        ['scan_error', 'b.py'],
      ],
    );
    assert.match(findings[0]!.message, /file is too large/);
    assert.match(findings[1]!.message, /proposal is too large/);
    assert.match(securityGateFailure(findings) ?? '', /Guardian could not check big\.js/);
    assert.equal(securitySummary(findings).blocking, true);
  });

  it('does not block on low-severity introductions', () => {
    const low = [{ status: 'introduced', introduced: true, file_path: 'a.js', rule_id: 'x', severity: 'low' }];
    assert.equal(securityGateFailure(low), undefined);
    assert.equal(securitySummary(low).blocking, false);
  });
});
