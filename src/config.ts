import { resolve } from 'node:path';
import type { StoreConfig } from './store/database.js';

/** Server settings. Each comes from a CLI flag, else an environment variable, else its default. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Becomes the admin key on first start instead of a random one (for scripted deployments). */
  adminKey?: string;
  logLevel: string;
}

export type ConfigOverrides = Partial<Pick<Config, 'port' | 'host' | 'dataDir' | 'databaseUrl' | 'logLevel'>>;

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: overrides.port ?? Number(env.PORT ?? 8080),
    host: overrides.host ?? env.HOST ?? '0.0.0.0',
    dataDir: overrides.dataDir ?? env.EVALSTORE_DATA_DIR ?? './data',
    databaseUrl: overrides.databaseUrl ?? (env.DATABASE_URL || undefined),
    adminKey: env.EVALSTORE_ADMIN_KEY || undefined,
    logLevel: overrides.logLevel ?? env.LOG_LEVEL ?? 'info',
  };
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
