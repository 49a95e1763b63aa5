/**
 * What /metrics tells about storages: the operations sent to each storage and the time they took,
 * and, with coordinator group commit on, the size of each group's coordinator write.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CrossStorageDeployment, connect, eventually, skipUnlessBothStorages } from './support.js';

const skip = await skipUnlessBothStorages();

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? NaN : Number(line.split(' ').pop());
}

describe('storage metrics of a cross-storage deployment', { skip }, () => {
  test('operations per storage and group commit sizes are counted', { timeout: 180_000 }, async () => {
    const d = await CrossStorageDeployment.create({ properties: { 'scalar.db.consensus_commit.coordinator.group_commit.enabled': 'true' } });
    try {
      const server = await d.start();
      const c = await connect(server);
      await c.query('CREATE SCHEMA identity');
      await c.query('CREATE SCHEMA event');
      await c.query('CREATE TABLE identity.a (id int PRIMARY KEY, n int)');
      await c.query('CREATE TABLE event.b (id int PRIMARY KEY, n int)');
      await c.query('BEGIN');
      await c.query('INSERT INTO identity.a VALUES (1, 1)');
      await c.query('INSERT INTO event.b VALUES (1, 1)');
      await c.query('COMMIT');
      await c.end();
      const text = await (await fetch(`http://${server.host}:${server.httpPort}/metrics`)).text();
      for (const storage of ['postgres', 'cassandra']) {
        for (const operation of ['get', 'mutate']) {
          const labels = `{storage="${storage}",operation="${operation}"}`;
          assert.ok(metric(text, 'polygres_storage_operations_total', labels) >= 1, `${storage} ${operation} counted`);
          assert.ok(metric(text, 'polygres_storage_operation_seconds_total', labels) > 0, `${storage} ${operation} timed`);
        }
      }
      assert.ok(metric(text, 'polygres_coordinator_group_commit_size_count') >= 1, 'the cross-storage commit went through a group');
    } finally {
      await d.destroy();
    }
  });

  test('connection_pool_active shows the PostgreSQL connections busy with a request', { timeout: 180_000 }, async () => {
    const d = await CrossStorageDeployment.create();
    try {
      const server = await d.start();
      const c = await connect(server);
      await c.query('CREATE SCHEMA identity');
      await c.query('CREATE TABLE identity.a (id int PRIMARY KEY, n int)');
      await c.query('INSERT INTO identity.a VALUES (1, 1)');
      const scrape = async () => (await (await fetch(`http://${server.host}:${server.httpPort}/metrics`)).text());
      const active = (text: string, storage: string) => metric(text, 'polygres_connection_pool_active', `{storage="${storage}"}`);
      const idle = await scrape();
      assert.equal(active(idle, 'postgres'), 0);
      assert.equal(active(idle, 'cassandra'), 0);
      // A lock taken directly in PostgreSQL holds polygres's read of the table on its connection.
      const locker = await d.postgres().connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE identity.a IN ACCESS EXCLUSIVE MODE');
        const blocked = c.query('SELECT n FROM identity.a WHERE id = 1');
        await eventually('a busy PostgreSQL connection is reported', async () => active(await scrape(), 'postgres') >= 1, 20_000);
        await locker.query('COMMIT');
        assert.deepEqual((await blocked).rows, [{ n: 1 }]);
      } finally {
        locker.release();
      }
      await eventually('the connection is reported idle again', async () => active(await scrape(), 'postgres') === 0, 20_000);
      await c.end();
    } finally {
      await d.destroy();
    }
  });
});
