// expect: safe hard_coded_secret CWE-798
import { Octokit } from '@octokit/rest';

const octokit = new Octokit({ auth: process.env.GITHUB_TOKEN });

export async function openIssue(title: string) {
  return octokit.issues.create({ owner: 'acme', repo: 'web', title });
}
