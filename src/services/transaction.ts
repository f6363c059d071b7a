import type { Store, Transaction } from '../store/database.js';

/** The option of every service method that can join a caller's transaction. */
export interface TransactionOptions {
  /**
   * The caller's transaction: the method's work (reads included) runs inside it, and commits or rolls
   * back with it, instead of in a transaction of its own. Inside a transaction every read goes through
   * it: on SQLite a read through `store.db` would wait for the transaction's own connection.
   */
  transaction?: Transaction;
}

/** Runs `work` in the caller's transaction when the options name one, else in a new transaction. */
export function withTransaction<T>(store: Store, options: TransactionOptions, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return options.transaction ? work(options.transaction) : store.transaction(work);
}
