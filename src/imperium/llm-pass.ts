import { z } from 'zod';
import type { LanguageModelService } from '../llm/language-model-service.js';
import type { ImperiumLlmPass } from '../analysis/imperium/llm-pass.js';
import { IMPACTS } from '../analysis/imperium/rule.js';

const answerSchema = z.object({
  optimized_code: z.string().describe('the whole file after your changes'),
  changes: z
    .array(
      z.object({
        line: z.number().int().min(1).describe('1-based line in the code you were given'),
        explanation: z.string().min(1),
        expected_impact: z.enum(IMPACTS),
      }),
    )
    .describe('one entry per change you made; empty when you changed nothing'),
});

const SYSTEM = [
  'You improve source code with minimal, behaviour-preserving changes.',
  'Change only what clearly improves performance, correctness or maintainability; never change public',
  'interfaces, observable output or error behaviour. Keep formatting and comments. If nothing is worth',
  'changing, return the code unchanged with no changes.',
].join(' ');

/**
 * Imperium's LLM pass: asks the configured model, through the accounted language model service, for
 * further changes after the deterministic engine. What it answers is a claim: the route re-parses it and
 * scans it with Guardian before anything is returned.
 */
export function createImperiumLlmPass(service: LanguageModelService): ImperiumLlmPass {
  return {
    async improve(input) {
      const done = input.engineChanges.map((change) => `- line ${change.line}: ${change.explanation}`).join('\n');
      const result = await service.generateObject({
        agentType: 'imperium',
        purpose: 'imperium.optimize',
        system: SYSTEM,
        prompt: [
          `Language: ${input.language}. File: ${input.filePath}.`,
          input.goals?.length ? `Goals: ${input.goals.join(', ')}.` : 'Goals: any.',
          done ? `Already applied by the deterministic engine:\n${done}` : '',
          'Code:',
          '```',
          input.code,
          '```',
        ]
          .filter(Boolean)
          .join('\n'),
        schema: answerSchema,
        schemaName: 'imperium_optimization',
        ...(input.signal ? { signal: input.signal } : {}),
      });
      return {
        optimizedCode: result.object.optimized_code,
        changes: result.object.changes.map((change) => ({
          rule_id: 'llm.optimization',
          line: change.line,
          explanation: change.explanation,
          expected_impact: change.expected_impact,
          confidence: 0.5,
        })),
      };
    },
  };
}
