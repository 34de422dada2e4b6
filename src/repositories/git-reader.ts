import { findEntry, occupantOfPath, readFileAtRef, resolveHead } from './git-repository.js';

/** The repositories' git reads, as the port that services reading files at a commit take. */
export const gitRepositoryReader = { resolveHead, readFileAtRef, occupantOfPath, findEntry };
