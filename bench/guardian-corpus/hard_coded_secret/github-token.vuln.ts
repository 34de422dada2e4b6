// expect: vulnerable hard_coded_secret CWE-798
import { Octokit } from '@octokit/rest';

const octokit = new Octokit({ auth: 'ghp_4fT9kLmQ2xWzR7vB1nYp8sD3hJ6cE0aGuKiO' });

export async function openIssue(title: string) {
  return octokit.issues.create({ owner: 'acme', repo: 'web', title });
}
