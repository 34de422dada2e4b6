// expect: safe command_injection CWE-78
import { execFile } from 'child_process';

const target = process.argv[2];
execFile('tar', ['czf', 'backup.tgz', '--', target], (err) => {
  if (err) process.exit(1);
  console.log('archived', target);
});
