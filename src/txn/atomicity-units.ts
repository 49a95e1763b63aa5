/**
 * Groups mutations by the storage's atomicity unit (ScalarDB's `MutationsGrouper`): one storage
 * mutate per group. SQL storages commit a whole group in one local transaction; Cassandra needs
 * one batch per partition. Groups larger than `maxPerGroup` are split (prepare, commit and
 * rollback are per-record compare-and-sets, so a split costs round trips, never correctness; only
 * one-phase commit needs a single group).
 */
import type { AtomicityUnit, Mutation, Storage, StorageRouter } from '../storage/types.js';
import { encodePartition, encodeRecordKey } from './record-key.js';

export interface MutationGroup<T extends { readonly mutation: Mutation }> {
  readonly storage: Storage;
  readonly items: readonly T[];
}

export function groupByAtomicityUnit<T extends { readonly mutation: Mutation }>(
  router: StorageRouter,
  items: readonly T[],
  maxPerGroup: number,
): MutationGroup<T>[] {
  const groups = new Map<string, { storage: Storage; items: T[] }>();
  for (const item of items) {
    const m = item.mutation;
    const storage = router.storageFor(m.namespace);
    const unit = unitKey(storage.atomicityUnit, m);
    const id = JSON.stringify([storage.name, unit]);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { storage, items: [] }));
    group.items.push(item);
  }
  const out: MutationGroup<T>[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.items.length; i += maxPerGroup) out.push({ storage: g.storage, items: g.items.slice(i, i + maxPerGroup) });
  }
  return out;
}

function unitKey(unit: AtomicityUnit, m: Mutation): string {
  switch (unit) {
    case 'storage':
      return '';
    case 'namespace':
      return m.namespace;
    case 'table':
      return JSON.stringify([m.namespace, m.table]);
    case 'partition':
      return encodePartition(m.namespace, m.table, m.partitionKey);
    case 'record':
      return encodeRecordKey({ namespace: m.namespace, table: m.table, partitionKey: m.partitionKey, clusteringKey: m.clusteringKey ?? [] });
  }
}
