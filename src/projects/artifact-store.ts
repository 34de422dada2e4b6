import { createHash } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { artifacts } from '../db/schema.js';

export type Artifact = typeof artifacts.$inferSelect;
export type ArtifactSummary = Omit<Artifact, 'content'>;

export interface NewArtifact {
  readonly projectId: string;
  readonly taskId: string;
  readonly stage: string;
  readonly run: number;
  readonly kind: string;
  readonly name: string;
  readonly mediaType: string;
  readonly content: Buffer;
}

const summaryColumns = {
  id: artifacts.id,
  projectId: artifacts.projectId,
  taskId: artifacts.taskId,
  stage: artifacts.stage,
  run: artifacts.run,
  kind: artifacts.kind,
  name: artifacts.name,
  mediaType: artifacts.mediaType,
  sha256: artifacts.sha256,
  size: artifacts.size,
  createdAt: artifacts.createdAt,
};

/**
 * Replaces what a stage of a run stored before (a retried attempt writes its outputs again) with these.
 * Call inside the transaction that ends the stage, so a stage's artifacts and its status agree.
 */
export async function replaceStageArtifacts(
  orm: Orm,
  key: { projectId: string; stage: string; run: number },
  items: readonly NewArtifact[],
): Promise<void> {
  await orm
    .delete(artifacts)
    .where(and(eq(artifacts.projectId, key.projectId), eq(artifacts.stage, key.stage), eq(artifacts.run, key.run)));
  if (items.length === 0) return;
  await orm.insert(artifacts).values(
    items.map((item) => ({
      ...item,
      sha256: createHash('sha256').update(item.content).digest('hex'),
      size: item.content.byteLength,
    })),
  );
}

export async function listProjectArtifacts(orm: Orm, projectId: string): Promise<ArtifactSummary[]> {
  return orm
    .select(summaryColumns)
    .from(artifacts)
    .where(eq(artifacts.projectId, projectId))
    .orderBy(asc(artifacts.createdAt), asc(artifacts.name));
}

export async function listTaskArtifacts(orm: Orm, taskId: string): Promise<ArtifactSummary[]> {
  return orm.select(summaryColumns).from(artifacts).where(eq(artifacts.taskId, taskId)).orderBy(asc(artifacts.name));
}

export async function findArtifact(orm: Orm, id: string): Promise<Artifact | undefined> {
  const [artifact] = await orm.select().from(artifacts).where(eq(artifacts.id, id));
  return artifact;
}
