/**
 * Real ORMs and query builders, unchanged, through the real server (bin/polygres.js, SQLite) and
 * through the real PostgreSQL: each does the same work on both (tests/e2e/orm-scenarios.ts) and
 * must report the same thing — schemas created and read back by its own introspection, rows
 * written and read with its own SQL, transactions, migrations, errors. A few results are also
 * checked outright, so that two equally wrong answers cannot pass.
 *
 * Knex 3, Sequelize 6, TypeORM 0.3 and Kysely 0.29. Every scenario uses its own table names, so all
 * run against one polygres server and one fresh PostgreSQL database (the same database name on both
 * sides: information_schema shows it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../support/server.js';
import { knexScenario, kyselyScenario, sequelizeScenario, typeormScenario, type Endpoint } from './orm-scenarios.js';
import { referencePostgres, referenceUser, startPolygres, USER } from './support.js';

const { reference, skip } = await referencePostgres('polygres_e2e_orms');

describe('ORMs through the real server do what they do on PostgreSQL', { skip }, () => {
  let server: RunningServer;
  const polygres = (): Endpoint => ({ host: server.host, port: server.port, user: USER, database: reference!.database });
  const postgres = (): Endpoint => ({ host: reference!.target.host, port: reference!.target.port, user: referenceUser(), database: reference!.database });

  /** The scenario on both servers (one after the other: they are independent); polygres's report first. */
  async function both(scenario: (e: Endpoint) => Promise<Record<string, unknown>>): Promise<[Record<string, unknown>, Record<string, unknown>]> {
    const mine = await scenario(polygres());
    const theirs = await scenario(postgres());
    return [mine, theirs];
  }

  before(async () => {
    server = await startPolygres();
  });
  after(async () => {
    await server?.stop();
    await reference?.drop();
  });

  test('Knex 3: schema builder, hasTable/hasColumn/columnInfo, CRUD with returning, transactions, migrations', async () => {
    const [mine, theirs] = await both(knexScenario);
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine.hasTable, [true, true, false]);
    assert.deepEqual(mine.hasColumn, [true, false]);
    const info = mine.columnInfoBooks as Record<string, { type: string; defaultValue: string | null; maxLength: number | null; nullable: boolean }>;
    assert.deepEqual(Object.keys(info).sort(), ['author_id', 'available', 'id', 'pages', 'price', 'summary', 'title']);
    // Knex writes DEFAULT '1' for a boolean default: PostgreSQL shows it as the boolean constant.
    assert.equal(info.available!.defaultValue, 'true');
    assert.equal(info.pages!.defaultValue, '0');
    assert.deepEqual([info.summary!.type, info.summary!.maxLength], ['character varying', 500]);
    assert.deepEqual(mine.uniqueViolation, ['23505', 'k_authors_ext_id_unique']);
    assert.deepEqual(mine.foreignKeyViolation, ['23503', 'k_books_author_id_foreign']);
    assert.equal(mine.rolledBack, 'undo');
    assert.deepEqual(mine.afterTransactions, [
      { title: 'Notes', pages: 125, author_id: 1 },
      { title: 'Engines', pages: 5, author_id: 1 },
    ]);
    assert.deepEqual(mine.migrateLatest, [1, ['001_tags', '002_book_tags']]);
    assert.deepEqual(mine.migrationsLock, [{ index: 1, is_locked: 0 }]);
    assert.deepEqual(mine.hasTagsAfterRollback, [false, false]);
  });

  test('Sequelize 6: sync and sync({ alter: true }), associations, include, update/destroy, managed transactions, upsert', async () => {
    const [mine, theirs] = await both(sequelizeScenario);
    assert.deepEqual(mine, theirs);
    // alter added the new column and widened the title.
    assert.ok('bio' in (mine.describeUsers as object));
    assert.equal((mine.describePosts as Record<string, { type: string }>).title!.type, 'CHARACTER VARYING(200)');
    assert.deepEqual(mine.showAllTables, ['s_post_tags', 's_posts', 's_tags', 's_users']);
    const users = mine.findAllInclude as Array<{ username: string; posts: Array<{ title: string; tags: Array<{ name: string }> }> }>;
    assert.deepEqual(
      users.map((u) => [u.username, u.posts.map((p) => [p.title, p.tags.map((t) => t.name)])]),
      [
        ['ada', [['Notes', ['engines', 'math']], ['Tables', ['math']]]],
        ['bob', [['Hello', []]]],
      ],
    );
    assert.deepEqual(mine.tagCounts, [
      { name: 'engines', n: '1' },
      { name: 'math', n: '2' },
    ]);
    assert.equal(mine.rolledBack, 'undo');
    assert.deepEqual(mine.afterTransactions, [
      { username: 'ada', karma: 3 },
      { username: 'bob', karma: 10 },
    ]);
    assert.deepEqual(mine.uniqueViolation, ['SequelizeUniqueConstraintError', '23505']);
    assert.deepEqual(
      (mine.remaining as Array<{ username: string; posts: unknown[] }>).map((u) => [u.username, u.posts.length]),
      [
        ['ada', 2],
        ['cy', 0],
      ],
    );
  });

  test('TypeORM 0.3: synchronize (introspection), relations, repositories, QueryRunner transactions, migrations', async () => {
    const [mine, theirs] = await both(typeormScenario);
    assert.deepEqual(mine, theirs);
    // The second DataSource read the schema back and found nothing to change.
    assert.deepEqual(mine.pendingSchemaChanges, []);
    const table = mine.articleTable as { foreignKeys: unknown[]; indices: Array<{ name: string }> };
    assert.deepEqual(table.foreignKeys, [{ columns: ['author_id'], referenced: 't_authors', referencedColumns: ['id'], onDelete: 'CASCADE' }]);
    assert.ok(table.indices.some((i) => i.name === 't_articles_title_idx'));
    const authors = mine.findWithRelations as Array<{ name: string; articles: Array<{ title: string; labels: Array<{ name: string }> }> }>;
    assert.deepEqual(
      authors.map((a) => [a.name, a.articles.map((x) => [x.title, x.labels.map((l) => l.name)])]),
      [
        ['Ann', [['Joins', ['sql', 'typescript']], ['Types', ['typescript']]]],
        ['Ben', [['Indexes', ['sql']]]],
      ],
    );
    assert.deepEqual(mine.visitsId, [{ name: 'id', type: 'uuid', generated: true, strategy: 'uuid', default: undefined }]);
    assert.deepEqual(mine.visits, [
      ['/a', true],
      ['/b', true],
    ]);
    assert.deepEqual(mine.afterTransactions, [2, 810, 1]);
    assert.equal(mine.managerTransaction, '23505');
    assert.deepEqual(mine.migrationsRun, ['AddSummary1700000000000']);
    assert.deepEqual(mine.summaryAfterRevert, [{ n: 0 }]);
    assert.deepEqual(mine.afterCascade, [{ title: 'Joins' }, { title: 'Types' }]);
  });

  test('Kysely 0.29: schema builder, introspection getTables, typed queries, transaction, upsert', async () => {
    const [mine, theirs] = await both(kyselyScenario);
    assert.deepEqual(mine, theirs);
    const tables = mine.tables as Array<{ name: string; columns: Array<{ name: string; dataType: string; isAutoIncrementing: boolean; hasDefaultValue: boolean; isNullable: boolean }> }>;
    assert.deepEqual(
      tables.map((t) => [t.name, t.columns.map((c) => `${c.name}:${c.dataType}${c.isAutoIncrementing ? ':auto' : ''}${c.hasDefaultValue ? ':default' : ''}${c.isNullable ? ':null' : ''}`)]),
      [
        ['y_players', ['id:int8:auto:default', 'joined:timestamptz:default', 'nick:text', 'score:int4:default', 'team_id:int4']],
        ['y_teams', ['founded:int4:null', 'id:int4:auto:default', 'name:varchar']],
      ],
    );
    assert.deepEqual(mine.checkViolation, ['23514', 'y_teams_founded_check']);
    assert.deepEqual(mine.upsert, [{ nick: 'ace', score: 11 }]);
    assert.equal(mine.rolledBack, 'undo');
    assert.deepEqual(mine.remaining, [
      { nick: 'ace', score: 11, joined: '<date>' },
      { nick: 'bo', score: 5, joined: '<date>' },
    ]);
  });
});
