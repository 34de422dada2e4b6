// The eleven stages of the generation pipeline, in order. Each runs as a task of its own agent
// (src/agents/pipeline/), so it has the queue's durability, retries, logs and events.

export const STAGES = [
  { name: 'requirements', title: 'Requirements', timeoutSeconds: 300 },
  { name: 'architecture', title: 'Architecture', timeoutSeconds: 300 },
  { name: 'api_design', title: 'API design', timeoutSeconds: 300 },
  { name: 'database_design', title: 'Database design', timeoutSeconds: 300 },
  { name: 'backend', title: 'Backend', timeoutSeconds: 600 },
  { name: 'frontend', title: 'Frontend', timeoutSeconds: 600 },
  { name: 'infrastructure', title: 'Infrastructure', timeoutSeconds: 300 },
  { name: 'build', title: 'Build', timeoutSeconds: 1800 },
  { name: 'qa', title: 'QA', timeoutSeconds: 1800 },
  { name: 'deploy', title: 'Deploy', timeoutSeconds: 600 },
  { name: 'recovery', title: 'Recovery', timeoutSeconds: 300 },
] as const;

export type StageName = (typeof STAGES)[number]['name'];
export const STAGE_NAMES = STAGES.map((stage) => stage.name) as [StageName, ...StageName[]];

/** The agent type whose tasks run a stage: `pipeline-api-design`. */
export const stageAgentType = (stage: StageName) => `pipeline-${stage.replaceAll('_', '-')}`;

export function stageAfter(stage: StageName): StageName | undefined {
  return STAGES[STAGES.findIndex((candidate) => candidate.name === stage) + 1]?.name;
}

export function stageBefore(stage: StageName): StageName | undefined {
  const index = STAGES.findIndex((candidate) => candidate.name === stage);
  return index > 0 ? STAGES[index - 1]?.name : undefined;
}

export const stagePosition = (stage: StageName) => STAGES.findIndex((candidate) => candidate.name === stage);

export const TARGETS = ['web', 'api', 'flutter'] as const;
export type Target = (typeof TARGETS)[number];
