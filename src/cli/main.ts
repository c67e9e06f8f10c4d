/**
 * `node dist/cli.js <command> …`: the engine and formats from a terminal. User errors exit 2 with one
 * `error:` line on stderr; anything else is a bug and exits 1 with its stack.
 */
import { isUserError } from '../engine/errors';
import { COMMANDS } from './commands';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`usage: node dist/cli.js <${Object.keys(COMMANDS).join('|')}> …\n`);
    if (name) process.stderr.write(`error: unknown command '${name}'.\n`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (isUserError(e)) {
      process.stderr.write(`error: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
