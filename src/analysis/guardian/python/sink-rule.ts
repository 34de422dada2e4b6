import type { Node } from 'web-tree-sitter';
import type { Fix, RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import type { CallParts } from './ast.js';
import { confidenceFor, match, pythonRule, severityFor } from './support.js';
import { join, type SinkKind, type TaintAnalysis } from './taint.js';

/**
 * A sink rule: for every call the `sink` recognises, the level of the arguments it returns decides the
 * finding — high confidence when data flows from a source, medium for non-constant data of unknown origin
 * when `reportUnknown` allows it, nothing for constant or sanitised data.
 */
interface SinkRuleSpec {
  readonly id: string;
  readonly issueType: string;
  readonly cwe: string;
  readonly severity: Rule['severity'];
  readonly unknownSeverity?: Rule['severity'];
  readonly message: string;
  readonly remediation: string;
  readonly kind: SinkKind;
  sink(parts: CallParts, taint: TaintAnalysis): readonly (Node | undefined)[] | undefined;
  reportUnknown(arg: Node, taint: TaintAnalysis, parts: CallParts): boolean;
  /** data that cannot reach the dangerous part of the sink (e.g. a URL with a fixed host) */
  harmless?(arg: Node): boolean;
  /** a safe, minimal rewrite of the call, when there is one */
  fix?(parts: CallParts): Fix | undefined;
}

export function sinkRule(spec: SinkRuleSpec): Rule {
  return pythonRule({
    id: spec.id,
    issueType: spec.issueType,
    cwe: spec.cwe,
    severity: spec.severity,
    message: spec.message,
    remediation: spec.remediation,
    check(_context, { taint, calls }) {
      const matches: RuleMatch[] = [];
      for (const parts of calls) {
        const args = spec.sink(parts, taint)?.filter((arg): arg is Node => arg !== undefined);
        if (!args?.length) continue;
        const relevant = args.filter((arg) => !spec.harmless?.(arg));
        const level = join(...relevant.map((arg) => taint.level(arg, spec.kind)));
        const confidence = confidenceFor(
          level,
          relevant.some((arg) => spec.reportUnknown(arg, taint, parts)),
        );
        if (!confidence) continue;
        const fix = spec.fix?.(parts);
        matches.push(
          match(parts.call, confidence, {
            severity: severityFor(confidence, spec.severity, spec.unknownSeverity ?? 'medium'),
            ...(fix ? { fix } : {}),
          }),
        );
      }
      return matches;
    },
  });
}

export const always = () => true;

export const never = () => false;
