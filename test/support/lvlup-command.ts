import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** Whether `lvlup <command…> --help` is a command of this lvlup (exit 0 with its usage). */
export async function isLvlupCommand(args: string[]): Promise<boolean> {
  let output = '';
  const words = args.filter((arg) => !arg.startsWith('--'));
  const code = await main(['node', 'lvlup', ...words, '--help'], {
    stdout: new Writable({ write: (chunk: Buffer, _encoding, callback) => ((output += chunk.toString()), callback()) }),
    stderr: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    stdin: Readable.from(['']),
    environment: {},
  });
  const options = args.filter((arg) => arg.startsWith('--'));
  // an unknown command prints the top-level usage (and exits 0 too), so the usage line must name it
  return (
    code === 0 &&
    output.startsWith(`Usage: lvlup ${words.join(' ')} [options]`) &&
    options.every((option) => output.includes(option))
  );
}
