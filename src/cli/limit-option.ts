import { type Command, Option } from 'commander';

/**
 * Adds `-n, --limit <n>` to `command`, and `-l <n>` as a second short name (commander gives an
 * option one): both set `limit`, the last one given winning, as a repeated option does.
 */
export function addLimitOption(command: Command, description: string, fallback: string): Command {
  command.option('-n, --limit <n>', `${description} (also -l)`, fallback);
  command.addOption(new Option('-l <n>', 'the same as --limit').hideHelp());
  return command.on('option:l', (value: string) => command.setOptionValueWithSource('limit', value, 'cli'));
}
