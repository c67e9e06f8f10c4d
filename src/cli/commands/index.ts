/** The CLI's commands, each in its own file. A command resolves to the process exit code. */
import { conformance } from './conformance';
import { normalize } from './normalize';
import { stats } from './stats';

export type Command = (args: string[]) => Promise<number>;

export const COMMANDS: Record<string, Command> = {
  stats,
  conformance,
  normalize,
};
