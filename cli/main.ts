import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../core/config.ts';
import { DataFolderInUseError } from '../core/db/data-folder-lock.ts';
import { createKeyCommand, createOrganizationCommand, migrateCommand } from './admin-commands.ts';
import { CliError } from './cli-error.ts';
import { dataFolderInUseMessage } from './data-folder-in-use.ts';
import { setOrganizationPricesCommand } from './price-override-command.ts';
import { startCommand } from './start.ts';
import { testRunCommand } from './test-run/test-run-command.ts';
import { usageExportCommand } from './usage-export.ts';

const USAGE = `Usage: echosphere <command>

  start [--roles api,agent,workers]   run EchoSphere (all roles in one process by default)
  migrate                             apply database migrations and exit
  orgs create --name <name>           create an organization and print its first secret key
  orgs prices --org <org_id> (--file <prices.json> | --clear)
                                      set (or remove) the organization's own prices
  keys create --org <org_id> [--name <name>] [--type secret|public]
              [--assistants <asst_id,…>] [--origins <origin,…>]
                                      create an API key and print it (shown once)
  usage export --from <date> --to <date> [--org <org_id>]
                                      write usage records (one row per priced line of each
                                      session that ended in [from, to), UTC) as CSV to stdout
  test run --suite <suite.json> --assistant <assistant.json> [--patch <patch.json>]
           [--concurrency <1-8>] [--json]
                                      run a test suite on an embedded server started for the run
                                      (temporary data, deleted afterwards); exit 1 unless every
                                      scenario passed
  test run --suite <suite.json|suite_id> --assistant <asst_id> --url <server> [--key <sk_…>] …
                                      the same on a running server (--url or $ECHOSPHERE_URL,
                                      with --key or $ECHOSPHERE_KEY)
`;

export async function main(argv: string[]): Promise<void> {
  const [command, subcommand, ...rest] = argv;
  try {
    if (command === 'start') {
      const { values } = parseArgs({ args: argv.slice(1), options: { roles: { type: 'string' } } });
      const env = values.roles ? { ...process.env, ECHOSPHERE_ROLES: values.roles } : process.env;
      return await startCommand(parseConfig(env));
    }
    if (command === 'migrate') return await migrateCommand(parseConfig());
    if (command === 'orgs' && subcommand === 'create') {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' } } });
      if (!values.name) return fail('orgs create needs --name');
      return await createOrganizationCommand(parseConfig(), values.name);
    }
    if (command === 'keys' && subcommand === 'create') {
      const { values } = parseArgs({
        args: rest,
        options: {
          org: { type: 'string' },
          name: { type: 'string' },
          type: { type: 'string', default: 'secret' },
          assistants: { type: 'string' },
          origins: { type: 'string' },
        },
      });
      if (!values.org) return fail('keys create needs --org');
      if (values.type !== 'secret' && values.type !== 'public') return fail('--type is secret or public');
      return await createKeyCommand(parseConfig(), {
        orgId: values.org,
        name: values.name ?? `${values.type === 'public' ? 'Public' : 'Secret'} key`,
        type: values.type,
        allowedAssistantIds: values.assistants?.split(',').filter(Boolean),
        allowedOrigins: values.origins?.split(',').filter(Boolean),
      });
    }
    if (command === 'orgs' && subcommand === 'prices') {
      const { values } = parseArgs({ args: rest, options: { org: { type: 'string' }, file: { type: 'string' }, clear: { type: 'boolean' } } });
      return await setOrganizationPricesCommand(parseConfig(), values);
    }
    if (command === 'usage' && subcommand === 'export') {
      const { values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' }, org: { type: 'string' } } });
      return await usageExportCommand(parseConfig(), values);
    }
    if (command === 'test' && subcommand === 'run') {
      const { values } = parseArgs({
        args: rest,
        options: {
          suite: { type: 'string' },
          assistant: { type: 'string' },
          patch: { type: 'string' },
          concurrency: { type: 'string' },
          url: { type: 'string' },
          key: { type: 'string' },
          json: { type: 'boolean' },
        },
      });
      process.exitCode = await testRunCommand(values, process.env);
      return;
    }
    process.stdout.write(USAGE);
    if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CliError) return fail(error.message);
    if (error instanceof DataFolderInUseError) return fail(dataFolderInUseMessage(command, error));
    throw error;
  }
}

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}
