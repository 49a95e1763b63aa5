/**
 * What /metrics tells about storages: the operations sent to each storage and the time they took,
 * and, with coordinator group commit on, the size of each group's coordinator write.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CrossStorageDeployment, connect, skipUnlessBothStorages } from './support.js';

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
});
