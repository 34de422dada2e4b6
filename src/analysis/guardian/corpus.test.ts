import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeCode } from './analyze.js';
import { GUARDIAN_RULES } from './rules.js';

const corpus = path.join(import.meta.dirname, '../../../bench/guardian-corpus');

// The labeled corpus of `npm run bench:guardian`, judged as the bench judges it: a vulnerable snippet must get
// a finding of its class, its safe twin none. Keeps the bench's precision and recall at 1.000.
describe('guardian labeled corpus', () => {
  it('reports every vulnerable snippet in its class and no safe twin', async () => {
    const wrong: string[] = [];
    let judged = 0;
    for (const entry of readdirSync(corpus, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const code = readFileSync(file, 'utf8');
      const label = /^(?:\/\/|#)\s*expect:\s*(vulnerable|safe)\s+(\w+)\s+CWE-\d+/.exec(code);
      assert.ok(label, `${file}: no "expect:" label on the first line`);
      const findings = await analyzeCode({ code, filePath: file }, GUARDIAN_RULES);
      const reported = findings.some((finding) => finding.issue_type === label[2]);
      if (reported !== (label[1] === 'vulnerable')) wrong.push(`${path.relative(corpus, file)} (${label[2]})`);
      judged += 1;
    }
    assert.ok(judged >= 480, `snippets judged: ${judged}`);
    assert.deepEqual(wrong, []);
  });
});
