import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { PriceTable } from './domain/prices.js';
import type { StoreConfig } from './store/database.js';

/** Server settings. Each comes from a CLI flag, else an environment variable, else its default. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Becomes the admin key on first start instead of a random one (for scripted deployments). */
  adminKey?: string;
  /** With adminPassword, the first admin user, made on a start that finds no user. */
  adminEmail?: string;
  adminPassword?: string;
  /**
   * Behind a reverse proxy: trust its X-Forwarded-For/-Proto (client addresses for the sign-in limit,
   * HTTPS for the session cookie's Secure flag). Off unless EVALSTORE_TRUST_PROXY is true, so that a
   * client cannot forge them.
   */
  trustProxy?: boolean;
  logLevel: string;
  /**
   * How the LangSmith surface tells LangSmith's SDK to send runs (its `/info`): `multipart`
   * (`POST /runs/multipart`, the SDK's default; also when unset) or `batch` (JSON `POST /runs/batch`).
   * Both are served.
   */
  langsmithIngestion?: LangSmithIngestion;
  /** A JSON file of model prices (see PriceTable.parse), for the costs of OTLP spans that carry tokens but no cost. */
  pricesFile?: string;
  /**
   * This server process's name among those sharing the store, the same across its restarts: the
   * uploads it was receiving when it died are freed when it starts again. Default: host name and port.
   */
  instanceId?: string;
}

export const LANGSMITH_INGESTION_MODES = ['multipart', 'batch'] as const;
export type LangSmithIngestion = (typeof LANGSMITH_INGESTION_MODES)[number];

export type ConfigOverrides = Partial<Pick<Config, 'port' | 'host' | 'dataDir' | 'databaseUrl' | 'logLevel' | 'langsmithIngestion'>>;

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: overrides.port ?? Number(env.PORT ?? 8080),
    host: overrides.host ?? env.HOST ?? '0.0.0.0',
    dataDir: overrides.dataDir ?? env.EVALSTORE_DATA_DIR ?? './data',
    databaseUrl: overrides.databaseUrl ?? (env.DATABASE_URL || undefined),
    adminKey: env.EVALSTORE_ADMIN_KEY || undefined,
    adminEmail: env.EVALSTORE_ADMIN_EMAIL || undefined,
    adminPassword: env.EVALSTORE_ADMIN_PASSWORD || undefined,
    trustProxy: trustProxy(env.EVALSTORE_TRUST_PROXY),
    logLevel: overrides.logLevel ?? env.LOG_LEVEL ?? 'info',
    langsmithIngestion: overrides.langsmithIngestion ?? langsmithIngestion(env.EVALSTORE_LANGSMITH_INGESTION),
    pricesFile: env.EVALSTORE_PRICES || undefined,
    instanceId: env.EVALSTORE_INSTANCE_ID || undefined,
  };
}

function trustProxy(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new Error(`EVALSTORE_TRUST_PROXY must be true or false (got ${JSON.stringify(value)})`);
}

function langsmithIngestion(value: string | undefined): LangSmithIngestion {
  if (value === undefined || value === '') return 'multipart';
  if ((LANGSMITH_INGESTION_MODES as readonly string[]).includes(value)) return value as LangSmithIngestion;
  throw new Error(`EVALSTORE_LANGSMITH_INGESTION must be one of ${LANGSMITH_INGESTION_MODES.join(', ')} (got ${JSON.stringify(value)})`);
}

/** The configured price table (none when no file is named); a file that cannot be read or parsed stops the start, naming it. */
export function loadPriceTable(file: string | undefined): PriceTable {
  if (file === undefined) return PriceTable.empty;
  try {
    return PriceTable.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`EVALSTORE_PRICES (${file}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The process's instance id: as configured, else host name and port (none on a random port, which no restart keeps). */
export function instanceIdOf(config: Pick<Config, 'instanceId' | 'port'>): string | undefined {
  return config.instanceId ?? (config.port === 0 ? undefined : `${hostname()}:${config.port}`);
}

/** PostgreSQL when a database URL is set, else SQLite in the data folder. */
export function storeConfig(config: Pick<Config, 'dataDir' | 'databaseUrl'>): StoreConfig {
  if (config.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
      throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for SQLite)');
    }
    return { dialect: 'postgres', connectionString: config.databaseUrl };
  }
  return { dialect: 'sqlite', filename: resolve(config.dataDir, 'evalstore.db') };
}

/** Where the store is, for logs: never the password. */
export function describeStore(store: StoreConfig): string {
  if (store.dialect === 'sqlite') return `SQLite at ${store.filename}`;
  const url = new URL(store.connectionString);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
