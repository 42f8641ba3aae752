import type { CliCommand } from './command.ts';

/** The usage block printed by `--help` and on a bad command line. */
export function commandHelp(cmd: CliCommand): string {
  const lines = [
    `Usage: fieldkit ${cmd.name}${cmd.usage ? ' ' + cmd.usage : ''} [options]`,
    '',
    cmd.summary,
    '',
    'Options:',
  ];
  const names = Object.keys(cmd.options).sort();
  for (const name of [...names, 'help']) {
    const opt = cmd.options[name];
    const flag = `--${name}${opt?.type === 'string' ? ' <value>' : ''}`;
    const help = name === 'help' ? 'Show this help' : (cmd.optionHelp[name] ?? '');
    lines.push(`  ${flag.padEnd(24)} ${help}`);
  }
  return lines.join('\n') + '\n';
}

/** The top-level usage listing every command. */
export function mainHelp(commands: readonly CliCommand[], version: string): string {
  const width = Math.max(10, ...commands.map((c) => c.name.length));
  const lines = [
    `fieldkit ${version}: the field kit runtime (instruments, encrypted store, tablet app)`,
    '',
    'Usage: fieldkit <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    '',
    'Global: --help, --version. Run `fieldkit <command> --help` for a command.',
    'Store access: --data <dir> or FIELDKIT_DATA; FIELDKIT_PASSPHRASE or an interactive prompt.',
  ];
  return lines.join('\n') + '\n';
}
