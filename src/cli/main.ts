#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { API_KEY_ROLES, type ApiKeyRole } from '../domain/api-keys.js';
import { DomainError } from '../domain/errors.js';
import { LANGSMITH_INGESTION_MODES, loadConfig, storeConfig, type ConfigOverrides, type LangSmithIngestion } from '../config.js';
import { startServer } from '../server.js';
import { createServices, type Services } from '../services/index.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { registerEvalCommand } from './eval.js';
import { clientOf, describeColumns, exportDataset, uploadFile, type RemoteFlags, type UploadFlags } from './remote.js';

interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('must be a port number');
  return n;
}

function withStoreFlags(command: Command): Command {
  return command
    .addOption(new Option('--data-dir <dir>', 'folder of the SQLite database').env('EVALSTORE_DATA_DIR'))
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL; SQLite in the data folder when unset').env('DATABASE_URL'));
}

/**
 * Runs `work` against the configured database (migrated first), then closes it. Commands that only
 * read or change what a store already holds (`existing`) refuse to make a new SQLite file.
 */
async function withServices<T>(flags: StoreFlags, work: (services: Services) => Promise<T>, options: { existing?: boolean } = {}): Promise<T> {
  const config = storeConfig(loadConfig(flags));
  if (options.existing && config.dialect === 'sqlite' && !existsSync(config.filename)) {
    throw new Error(`There is no store at ${config.filename}: start the server once to make it, or name yours with --data-dir or --database-url`);
  }
  const store = openStore(config);
  try {
    await migrateToLatest(store);
    return await work(createServices(store));
  } finally {
    await store.close();
  }
}

/** withServices on a store that must exist already: these commands never make one. */
function withExistingStore<T>(flags: StoreFlags, work: (services: Services) => Promise<T>): Promise<T> {
  return withServices(flags, work, { existing: true });
}

async function resolveWorkspace(services: Services, requested: string | undefined): Promise<string> {
  if (requested) return (await services.workspaces.find(requested)).id;
  const all = await services.workspaces.list();
  if (all.length === 1) return all[0]!.id;
  if (all.length === 0) throw new Error('The store has no workspace yet: start the server once, or run `evalstore workspaces create <name>`.');
  throw new Error(`The store has ${all.length} workspaces; choose one with --workspace <id or name>.`);
}

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('evalstore')
  .description('An open store for LLM evaluation data: datasets, experiments, runs, scores.')
  .version(version, '-V, --version', 'print the version')
  // So that a command's own options (`export --version 3`) are not read as the program's.
  .enablePositionalOptions()
  .showHelpAfterError();

withStoreFlags(
  program
    .command('serve')
    .description('Start the server (migrates the database, and on first start creates a workspace and an admin key)')
    .addOption(new Option('-p, --port <port>', 'port to listen on').env('PORT').argParser(port).default(8080))
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST').default('0.0.0.0'))
    .addOption(
      new Option('--langsmith-ingestion <mode>', "how LangSmith's SDK is asked to send runs")
        .env('EVALSTORE_LANGSMITH_INGESTION')
        .choices(LANGSMITH_INGESTION_MODES)
        .default('multipart'),
    ),
).action(async (flags: StoreFlags & { port: number; host: string; langsmithIngestion: LangSmithIngestion }) => {
  const server = await startServer(loadConfig(flags as ConfigOverrides));
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
});

withStoreFlags(program.command('migrate').description('Bring the database schema up to date')).action(async (flags: StoreFlags) => {
  await withServices(flags, async () => undefined);
  console.log('The database schema is up to date.');
});

const keys = program.command('keys').description('Manage API keys (works directly on the configured database)');

withStoreFlags(
  keys
    .command('create')
    .description('Create an API key and print it (shown this once)')
    .requiredOption('--name <name>', 'what the key is for')
    .addOption(new Option('--role <role>', 'what the key may do').choices(API_KEY_ROLES).default('read'))
    .option('--workspace <id or name>', 'the workspace (needed when there are several)'),
).action(async (flags: StoreFlags & { name: string; role: ApiKeyRole; workspace?: string }) => {
  await withExistingStore(flags, async (services) => {
    const workspaceId = await resolveWorkspace(services, flags.workspace);
    const created = await services.keys.create(workspaceId, { name: flags.name, role: flags.role });
    console.log(`Created ${created.apiKey.role} key "${created.apiKey.name}" (${created.apiKey.id}). The key, shown this once:`);
    console.log(created.key);
  });
});

withStoreFlags(keys.command('list').description('List API keys').option('--workspace <id or name>', 'the workspace (needed when there are several)')).action(
  async (flags: StoreFlags & { workspace?: string }) => {
    await withExistingStore(flags, async (services) => {
      const workspaceId = await resolveWorkspace(services, flags.workspace);
      let cursor: string | undefined;
      const rows: string[][] = [['ID', 'NAME', 'ROLE', 'KEY', 'CREATED', 'REVOKED']];
      do {
        const page = await services.keys.list(workspaceId, { cursor, limit: 1000 });
        for (const key of page.data) {
          rows.push([key.id, key.name, key.role, `${key.preview}…`, key.created_at, key.revoked_at ?? '']);
        }
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
      for (const row of rows)
        console.log(
          row
            .map((cell, column) => cell.padEnd(widths[column]!))
            .join('  ')
            .trimEnd(),
        );
    });
  },
);

withStoreFlags(
  keys
    .command('revoke')
    .description('Revoke an API key (permanent)')
    .argument('<key-id>', 'the id shown by `keys list`')
    .option('--workspace <id or name>', 'the workspace (needed when there are several)'),
).action(async (keyId: string, flags: StoreFlags & { workspace?: string }) => {
  await withExistingStore(flags, async (services) => {
    const workspaceId = await resolveWorkspace(services, flags.workspace);
    const revoked = await services.keys.revoke({ workspaceId }, keyId);
    console.log(`Revoked key "${revoked.name}" (${revoked.id}).`);
  });
});

const workspaces = program.command('workspaces').description('Manage workspaces (works directly on the configured database)');

withStoreFlags(workspaces.command('create').description('Create a workspace and print its admin key').argument('<name>')).action(
  async (name: string, flags: StoreFlags) => {
    await withServices(flags, async (services) => {
      const created = await services.workspaces.create(name);
      console.log(`Created workspace "${created.workspace.name}" (${created.workspace.id}). Its admin key, shown this once:`);
      console.log(created.admin.key);
    });
  },
);

withStoreFlags(workspaces.command('list').description('List workspaces')).action(async (flags: StoreFlags) => {
  await withExistingStore(flags, async (services) => {
    for (const workspace of await services.workspaces.list()) console.log(`${workspace.id}  ${workspace.name}`);
  });
});

function withRemoteFlags(command: Command, role: 'read' | 'write'): Command {
  return command
    .addOption(new Option('--url <url>', 'the server').env('EVALSTORE_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--key <key>', `an API key (of the ${role} role or above)`).env('EVALSTORE_API_KEY'));
}

withRemoteFlags(
  program
    .command('upload')
    .description('Upload a CSV or JSONL file to a dataset of a running server, as one new version, with a progress bar')
    .argument('<file>', 'a .csv or .jsonl file')
    .requiredOption('--dataset <name>', 'the dataset')
    .option('--create', 'make the dataset when it does not exist')
    .option('--dedupe', 'skip records whose input is already in the dataset or earlier in the file')
    .option('--tag <tag>', 'a tag added to every record (repeatable)', (value: string, all: string[] = []) => [...all, value])
    .addOption(new Option('--format <format>', 'the file format (by default from the extension)').choices(['csv', 'jsonl']))
    .option('--input-column <name>', 'the CSV column of the input (default: input)')
    .option('--expected-column <name>', 'the CSV column of the expected output (default: expected_output)')
    .option('--metadata-column <name>', 'the CSV column of the metadata, a JSON object (default: metadata)')
    .option('--tags-column <name>', 'the CSV column of the tags (default: tags)')
    .option('--splits-column <name>', 'the CSV column of the splits (default: splits)')
    .option('--id-column <name>', "the CSV column of the record's own id, for updates (default: external_id)")
    .addOption(
      new Option('--other-columns <what>', 'CSV: the columns no field uses become metadata keys, or are ignored')
        .choices(['metadata', 'ignore'])
        .default('metadata'),
    )
    .option('--ignore-column <name>', 'CSV: a column not to read (repeatable)', (value: string, all: string[] = []) => [...all, value])
    .addOption(
      new Option('--cells <how>', 'CSV: cells are JSON where they parse as JSON (42 a number, false a boolean), or always text')
        .choices(['json', 'text'])
        .default('json'),
    ),
  'write',
).action(async (file: string, flags: UploadFlags & RemoteFlags) => {
  const summary = await uploadFile(clientOf(flags), file, flags);
  if (summary.columns) console.log(describeColumns(summary.columns));
  const version = summary.version ? `version ${summary.version.version}` : 'no new version (nothing changed)';
  console.log(
    `${version}: ${summary.records_created} created, ${summary.records_updated} updated, ${summary.records_unchanged} unchanged, ` +
      `${summary.duplicates_skipped} skipped as duplicates, ${summary.existing_skipped} skipped as existing (${summary.rows_received} rows read)`,
  );
});

withRemoteFlags(
  program
    .command('export')
    .description('Write a version of a dataset of a running server as CSV or JSONL')
    .argument('<dataset>', 'the dataset, by name or id')
    .option('--version <n>', 'a version number or name (default: the latest)')
    .addOption(new Option('--format <format>', 'the file format').choices(['csv', 'jsonl']).default('jsonl'))
    .option('-o, --output <file>', 'write to a file instead of standard output'),
  'read',
).action(async (dataset: string, flags: { version?: string; format: 'csv' | 'jsonl'; output?: string } & RemoteFlags) => {
  await exportDataset(clientOf(flags), dataset, flags);
});

registerEvalCommand(withRemoteFlags(program.command('eval'), 'write'));

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof DomainError || error instanceof Error ? error.message : String(error);
  console.error(`evalstore: ${message}`);
  process.exit(1);
});
