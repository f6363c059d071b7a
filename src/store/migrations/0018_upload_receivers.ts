import type { Kysely } from 'kysely';

/**
 * Each upload names the server process receiving it, so that a server starting again frees at once the
 * uploads its previous run was receiving when it died, instead of waiting for the sweep of idle ones.
 */
export function uploadReceivers() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('uploads').addColumn('receiver', 'text').execute();
    },
  };
}
