import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server.js';
import type { DialectName } from '../../../src/store/dialect.js';
import { createTestServices } from '../../support/services.js';

export interface UiServer {
  app: FastifyInstance;
  url: string;
  adminKey: string;
  workspaceName: string;
  /** Calls the native API as the admin key, and returns the JSON it answers (throws unless 2xx). */
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** The whole server, listening on 127.0.0.1 over a fresh database with one workspace. */
export async function startUiServer(dialect: DialectName): Promise<UiServer> {
  const { services, testStore, workspace, admin } = await createTestServices(dialect);
  const app = await buildApp(services);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const adminKey = admin.key;
  return {
    app,
    url,
    adminKey,
    workspaceName: workspace.name,
    api: async (method, path, body) => {
      const response = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    close: async () => {
      await app.close();
      await testStore.close();
    },
  };
}
