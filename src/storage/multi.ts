/**
 * Namespace routing: which storage holds a namespace. ScalarDB's multi-storage maps namespaces to named
 * storages with a default for the rest (`scalar.db.multi_storage.namespace_mapping`,
 * `scalar.db.multi_storage.default_storage`); parsing that configuration is the server's job.
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError } from './errors.js';
import type { Storage, StorageRouter } from './types.js';

export interface MultiStorageOptions {
  /** Storages by name. */
  readonly storages: ReadonlyMap<string, Storage>;
  /** Namespace to storage name. */
  readonly namespaceMapping: ReadonlyMap<string, string>;
  /** The storage of every namespace not in the mapping. */
  readonly defaultStorage: string;
}

export class MultiStorage implements StorageRouter {
  readonly storages: readonly Storage[];
  readonly #byNamespace: ReadonlyMap<string, Storage>;
  readonly #default: Storage;

  constructor(options: MultiStorageOptions) {
    const named = (name: string, role: string): Storage => {
      const storage = options.storages.get(name);
      if (!storage) {
        throw new InvalidOperationError(SqlState.configFileError, `${role} refers to storage "${name}", which is not configured`, {
          hint: `configured storages: ${[...options.storages.keys()].join(', ') || '(none)'}`,
        });
      }
      return storage;
    };
    this.storages = [...options.storages.values()];
    this.#default = named(options.defaultStorage, 'the default storage');
    this.#byNamespace = new Map([...options.namespaceMapping].map(([namespace, name]) => [namespace, named(name, `namespace "${namespace}"`)]));
  }

  storageFor(namespace: string): Storage {
    return this.#byNamespace.get(namespace) ?? this.#default;
  }

  /** Closes every storage, even when some fail; the first failure is rethrown. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.storages.map((s) => s.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** One storage for every namespace. */
export class SingleStorageRouter implements StorageRouter {
  readonly storages: readonly Storage[];

  constructor(readonly storage: Storage) {
    this.storages = [storage];
  }

  storageFor(_namespace: string): Storage {
    return this.storage;
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}
