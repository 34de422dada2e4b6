// expect: vulnerable command_injection CWE-78
import { exec } from 'child_process';

const target = process.argv[2];
exec(`tar czf backup.tgz ${target}`, (err) => {
  if (err) process.exit(1);
  console.log('archived', target);
});
