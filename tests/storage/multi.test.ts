import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiStorage, SingleStorageRouter } from '../../src/storage/multi.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { InvalidOperationError } from '../../src/storage/errors.js';

const root = mkdtempSync(join(tmpdir(), 'polygres-multi-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

describe('namespace routing', () => {
  it('routes mapped namespaces to their storage and the rest to the default', async () => {
    const primary = new SqliteStorage({ name: 'primary', path: join(root, 'a', 'primary.sqlite') });
    const events = new SqliteStorage({ name: 'events', path: join(root, 'a', 'events.sqlite') });
    const router = new MultiStorage({
      storages: new Map([['primary', primary], ['events', events]]),
      namespaceMapping: new Map([['event', 'events'], ['coordinator', 'primary']]),
      defaultStorage: 'primary',
    });
    assert.equal(router.storageFor('event'), events);
    assert.equal(router.storageFor('coordinator'), primary);
    assert.equal(router.storageFor('identity'), primary);
    assert.deepEqual(router.storages, [primary, events]);

    // Each namespace's data really lands in its storage.
    await router.storageFor('event').admin.createNamespace('event');
    assert.equal(await events.admin.namespaceExists('event'), true);
    assert.equal(await primary.admin.namespaceExists('event'), false);

    await router.close();
    await assert.rejects(events.admin.listNamespaces(), { code: '08003' });
    await assert.rejects(primary.admin.listNamespaces(), { code: '08003' });
  });

  it('refuses a mapping or default that names an unknown storage', () => {
    const only = new SqliteStorage({ name: 'only', path: join(root, 'b', 'only.sqlite') });
    try {
      assert.throws(() => new MultiStorage({ storages: new Map([['only', only]]), namespaceMapping: new Map(), defaultStorage: 'missing' }), InvalidOperationError);
      assert.throws(
        () => new MultiStorage({ storages: new Map([['only', only]]), namespaceMapping: new Map([['ns', 'missing']]), defaultStorage: 'only' }),
        (e: unknown) => e instanceof InvalidOperationError && /namespace "ns"/.test(e.message),
      );
    } finally {
      void only.close();
    }
  });

  it('a single storage serves every namespace', async () => {
    const storage = new SqliteStorage({ path: join(root, 'c', 'one.sqlite') });
    const router = new SingleStorageRouter(storage);
    assert.equal(router.storageFor('anything'), storage);
    assert.deepEqual(router.storages, [storage]);
    await router.close();
  });
});
