import { describe, it } from 'node:test';
import { expectFindings, FLASK } from './rules-test-support.js';

const lines = (...code: string[]) => code.join('\n');

describe('python: flows across the functions of a file', () => {
  const runner = lines(FLASK, 'def run(cmd):', '    subprocess.run(cmd, shell=True)', '');

  it('a tainted argument of a local function reaches the sink in its body, reported there', async () => {
    await expectFindings(
      lines(runner, '@app.post("/ls")', 'def ls():', '    run("ls " + request.form["dir"])', '    return "ok"'),
      ['py.command-injection@5:high'],
    );
    await expectFindings(
      lines(runner, '@app.post("/ls")', 'def ls():', '    run(cmd="ls " + request.form["dir"])', '    return "ok"'),
      ['py.command-injection@5:high'],
    );
  });

  it('a local function the file calls only with constants gets constants', async () => {
    await expectFindings(lines(runner, 'run("ls -l")', 'run(cmd=f"du -sh {\'/srv\'}")'), []);
  });

  it('a function whose name escapes, or that is never called, may get anything', async () => {
    await expectFindings(lines(runner, 'run("ls")', 'HOOKS = [run]'), ['py.command-injection@5:medium']);
    await expectFindings(runner, ['py.command-injection@5:medium']);
  });

  it('a local function returning request data taints its result whatever its arguments', async () => {
    await expectFindings(
      lines(
        FLASK,
        'def target():',
        '    return request.args.get("host", "")',
        '',
        '@app.get("/ping")',
        'def ping():',
        '    os.system("ping -c 1 " + target())',
        '    return "sent"',
      ),
      ['py.command-injection@9:high'],
    );
    await expectFindings(
      lines(
        FLASK,
        'def target():',
        '    return "localhost"',
        '',
        '@app.get("/ping")',
        'def ping():',
        '    os.system("ping -c 1 " + target())',
        '    return "sent"',
      ),
      [],
    );
  });
});
