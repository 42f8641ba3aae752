import { auditCommand } from './audit-command.ts';
import { backupCommand } from './backup-command.ts';
import { benchCommand } from './bench-command.ts';
import type { CliCommand } from './command.ts';
import { decodeCommand } from './decode-command.ts';
import { instrumentsCommand } from './instruments-command.ts';
import { restoreCommand } from './restore-command.ts';
import { simCommand } from './sim-command.ts';
import { startCommand } from './start-command.ts';

/** Every `fieldkit` subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  startCommand,
  decodeCommand,
  simCommand,
  instrumentsCommand,
  benchCommand,
  auditCommand,
  backupCommand,
  restoreCommand,
];
