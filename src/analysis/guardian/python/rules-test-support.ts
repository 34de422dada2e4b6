// Helpers shared by the Python rule tests (rules-*.test.ts).
import assert from 'node:assert/strict';
import { analyzeCode } from '../analyze.js';
import type { Finding, TextEdit } from '../finding.js';
import { PYTHON_RULES } from './index.js';

export const analyze = (code: string) => analyzeCode({ code, filePath: 'app.py' }, PYTHON_RULES);
export const summary = (findings: Finding[]) => findings.map((f) => `${f.rule_id}@${f.line}:${f.confidence}`);

export async function expectFindings(code: string, expected: string[]) {
  assert.deepEqual(summary(await analyze(code)), expected);
}

export function applyEdits(code: string, edits: readonly TextEdit[]): string {
  return [...edits]
    .sort((a, b) => b.start - a.start)
    .reduce((text, e) => text.slice(0, e.start) + e.replacement + text.slice(e.end), code);
}

export const FLASK =
  'from flask import Flask, request, redirect, render_template_string\nimport sqlite3, os, subprocess\n';
