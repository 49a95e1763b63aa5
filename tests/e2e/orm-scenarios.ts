/**
 * The work tests/e2e/orms.test.ts has each ORM do, once against polygres and once against the real
 * PostgreSQL. Every scenario returns a plain report (what the ORM answered, with the values that
 * legitimately differ between two runs, such as clock times, replaced by their kind) so that the
 * two runs can be compared as a whole.
 */
import knexFactory, { type Knex } from 'knex';

/** Where a scenario connects: host, port, user and database of a PostgreSQL-speaking server. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

/** Replaces clock-dependent values with their kind, recursively; keeps everything else. */
export function stable(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '<invalid date>' : '<date>';
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = stable(v);
    return out;
  }
  return value;
}

const AUTHOR_UUIDS = ['6f1c2d3e-0000-4000-8000-000000000001', '6f1c2d3e-0000-4000-8000-000000000002'];

/**
 * Knex 3: schema builder (increments, uuid, timestamps, foreign keys, unique, index), hasTable,
 * hasColumn, alterTable, columnInfo; CRUD with returning; a transaction rolled back; the
 * migrations API with its knex_migrations and knex_migrations_lock tables.
 */
export async function knexScenario(endpoint: Endpoint): Promise<Record<string, unknown>> {
  const db = knexFactory({ client: 'pg', connection: { ...endpoint }, pool: { min: 0, max: 2 } });
  const report: Record<string, unknown> = {};
  try {
    await db.schema.createTable('k_authors', (t) => {
      t.increments('id');
      t.uuid('ext_id').notNullable().unique();
      t.string('name', 100).notNullable();
      t.string('email').unique();
      t.timestamps(true, true);
    });
    await db.schema.createTable('k_books', (t) => {
      t.increments('id');
      t.integer('author_id').notNullable().references('id').inTable('k_authors').onDelete('CASCADE');
      t.string('title').notNullable();
      t.decimal('price', 8, 2);
      t.boolean('in_print').notNullable().defaultTo(true);
      t.jsonb('meta');
      t.unique(['author_id', 'title']);
      t.index(['title'], 'k_books_title_idx');
    });
    report.hasTable = [await db.schema.hasTable('k_authors'), await db.schema.hasTable('k_books'), await db.schema.hasTable('k_missing')];
    report.hasColumn = [await db.schema.hasColumn('k_books', 'price'), await db.schema.hasColumn('k_books', 'missing')];
    await db.schema.alterTable('k_books', (t) => {
      t.text('summary');
      t.renameColumn('in_print', 'available');
      t.dropColumn('meta');
      t.integer('pages').defaultTo(0);
    });
    await db.schema.alterTable('k_books', (t) => {
      t.string('summary', 500).alter();
    });
    report.columnInfoBooks = await db('k_books').columnInfo();
    report.columnInfoAuthorsName = await db('k_authors').columnInfo('name');

    // CRUD with returning.
    const authors = await db('k_authors')
      .insert([
        { ext_id: AUTHOR_UUIDS[0], name: 'Ada', email: 'ada@example.com' },
        { ext_id: AUTHOR_UUIDS[1], name: 'Brian', email: null },
      ])
      .returning(['id', 'ext_id', 'name', 'created_at']);
    report.insertedAuthors = authors;
    const [ada, brian] = authors as Array<{ id: number }>;
    const books = await db('k_books')
      .insert([
        { author_id: ada!.id, title: 'Notes', price: '12.50', pages: 120 },
        { author_id: ada!.id, title: 'Engines', price: '30.00' },
        { author_id: brian!.id, title: 'Unix', price: null, summary: 'an operating system' },
      ])
      .returning('*');
    report.insertedBooks = books;
    report.updated = await db('k_books').where('title', 'Engines').update({ price: '31.25', available: false }).returning(['id', 'price', 'available']);
    report.updatedCount = await db('k_books').where('price', '>', 10).increment('pages', 5);
    report.joined = await db('k_books as b')
      .join('k_authors as a', 'a.id', 'b.author_id')
      .select('a.name', 'b.title', 'b.price', 'b.available', 'b.pages')
      .orderBy([{ column: 'a.name' }, { column: 'b.title', order: 'desc' }]);
    report.grouped = await db('k_books').select('author_id').count({ n: '*' }).sum({ total: 'price' }).groupBy('author_id').orderBy('author_id');
    report.first = await db('k_authors').where({ ext_id: AUTHOR_UUIDS[1] }).first('id', 'name', 'email');
    report.uniqueViolation = await db('k_authors')
      .insert({ ext_id: AUTHOR_UUIDS[0], name: 'Again' })
      .then(
        () => 'inserted',
        (e: { code?: string; constraint?: string }) => [e.code, e.constraint],
      );
    report.foreignKeyViolation = await db('k_books')
      .insert({ author_id: 999, title: 'Orphan' })
      .then(
        () => 'inserted',
        (e: { code?: string; constraint?: string }) => [e.code, e.constraint],
      );

    // A transaction that fails is rolled back; one that succeeds is kept.
    report.rolledBack = await db
      .transaction(async (trx) => {
        await trx('k_authors').insert({ ext_id: '6f1c2d3e-0000-4000-8000-000000000003', name: 'Temp' });
        await trx('k_books').where({ author_id: ada!.id }).del();
        throw new Error('undo');
      })
      .then(
        () => 'committed',
        (e: Error) => e.message,
      );
    await db.transaction(async (trx) => {
      await trx('k_books').where({ title: 'Unix' }).update({ pages: 300 });
    });
    report.deleted = await db('k_authors').where({ id: brian!.id }).del().returning('name');
    report.afterTransactions = await db('k_books').select('title', 'pages', 'author_id').orderBy('id');
    report.authorsLeft = await db('k_authors').count({ n: '*' }).first();

    // The migrations API, with migrations given in code.
    const migrations: Record<string, Knex.Migration> = {
      '001_tags': {
        up: (k) => k.schema.createTable('k_tags', (t) => {
          t.bigIncrements('id');
          t.string('label').notNullable().unique();
        }),
        down: (k) => k.schema.dropTable('k_tags'),
      },
      '002_book_tags': {
        up: (k) =>
          k.schema.createTable('k_book_tags', (t) => {
            t.integer('book_id').notNullable().references('k_books.id').onDelete('CASCADE');
            t.bigInteger('tag_id').notNullable().references('k_tags.id');
            t.primary(['book_id', 'tag_id']);
          }),
        down: (k) => k.schema.dropTable('k_book_tags'),
      },
    };
    const migrationSource: Knex.MigrationSource<string> = {
      getMigrations: async () => Object.keys(migrations),
      getMigrationName: (name) => name,
      getMigration: async (name) => migrations[name]!,
    };
    report.migrateLatest = await db.migrate.latest({ migrationSource });
    report.migrateList = await db.migrate.list({ migrationSource });
    report.migrateCurrent = await db.migrate.currentVersion({ migrationSource });
    report.migrationsTable = await db('knex_migrations').select('id', 'name', 'batch').orderBy('id');
    report.migrationsLock = await db('knex_migrations_lock').select('*');
    report.hasTags = await db.schema.hasTable('k_book_tags');
    report.migrateRollback = await db.migrate.rollback({ migrationSource });
    report.hasTagsAfterRollback = [await db.schema.hasTable('k_tags'), await db.schema.hasTable('k_book_tags')];
    report.migrationsAfterRollback = await db('knex_migrations').count({ n: '*' }).first();
    return stable(report) as Record<string, unknown>;
  } finally {
    await db.destroy();
  }
}

/**
 * Sequelize 6: models with associations (hasMany/belongsTo, belongsToMany through a join model),
 * sync, then sync({ alter: true }) after the models change (it reads the tables back), create and
 * findAll with include (joins), update, destroy, managed transactions (one rolled back), upsert.
 */
export async function sequelizeScenario(endpoint: Endpoint): Promise<Record<string, unknown>> {
  const { Sequelize, DataTypes, Op } = await import('sequelize');
  const sequelize = new Sequelize(endpoint.database, endpoint.user, '', {
    host: endpoint.host,
    port: endpoint.port,
    dialect: 'postgres',
    logging: false,
    pool: { min: 0, max: 2 },
  });
  const report: Record<string, unknown> = {};
  try {
    const defineModels = (altered: boolean) => {
      const User = sequelize.define(
        'SUser',
        {
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          username: { type: DataTypes.STRING(40), allowNull: false, unique: true },
          email: { type: DataTypes.STRING, allowNull: true },
          karma: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
          ...(altered ? { bio: { type: DataTypes.TEXT, allowNull: true } } : {}),
        },
        { tableName: 's_users' },
      );
      const Post = sequelize.define(
        'SPost',
        {
          id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
          title: { type: DataTypes.STRING(altered ? 200 : 100), allowNull: false },
          body: { type: DataTypes.TEXT },
          published: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
          score: { type: DataTypes.DECIMAL(6, 2) },
        },
        { tableName: 's_posts', indexes: [{ fields: ['title'] }] },
      );
      const Tag = sequelize.define('STag', { name: { type: DataTypes.STRING, allowNull: false, unique: true } }, { tableName: 's_tags', timestamps: false });
      const PostTag = sequelize.define('SPostTag', {}, { tableName: 's_post_tags', timestamps: false });
      User.hasMany(Post, { as: 'posts', foreignKey: { name: 'authorId', allowNull: false }, onDelete: 'CASCADE' });
      Post.belongsTo(User, { as: 'author', foreignKey: { name: 'authorId', allowNull: false } });
      Post.belongsToMany(Tag, { through: PostTag, as: 'tags', foreignKey: 'postId', otherKey: 'tagId' });
      Tag.belongsToMany(Post, { through: PostTag, as: 'posts', foreignKey: 'tagId', otherKey: 'postId' });
      return { User, Post, Tag };
    };

    defineModels(false);
    await sequelize.sync();
    // The models change (a new column, a longer title); alter reads each table back and adjusts it.
    sequelize.modelManager.models.splice(0);
    const { User, Post, Tag } = defineModels(true);
    await sequelize.sync({ alter: true });
    const qi = sequelize.getQueryInterface();
    report.describeUsers = await qi.describeTable('s_users');
    report.describePosts = await qi.describeTable('s_posts');
    report.showAllTables = ((await qi.showAllTables()) as string[]).filter((t) => t.startsWith('s_')).sort();
    report.postIndexes = ((await qi.showIndex('s_posts')) as Array<{ name: string; unique: boolean; primary: boolean; fields: unknown }>)
      .map((i) => ({ name: i.name, unique: i.unique, primary: i.primary, fields: i.fields }))
      .sort((a, b) => a.name.localeCompare(b.name));
    report.postForeignKeys = ((await qi.getForeignKeyReferencesForTable('s_posts')) as Array<Record<string, unknown>>).map((r) => ({ ...r, constraintName: '<name>' }));

    const ada = await User.create({ username: 'ada', email: 'ada@example.com', bio: 'first programmer' });
    const bob = await User.create({ username: 'bob' });
    const [t1, t2] = await Tag.bulkCreate([{ name: 'math' }, { name: 'engines' }], { returning: true });
    const p1 = await Post.create({ id: '00000000-0000-4000-8000-00000000000a', title: 'Notes', body: 'on the engine', authorId: ada.get('id'), score: '9.50' });
    const p2 = await Post.create({ id: '00000000-0000-4000-8000-00000000000b', title: 'Tables', authorId: ada.get('id'), published: true });
    await Post.create({ id: '00000000-0000-4000-8000-00000000000c', title: 'Hello', authorId: bob.get('id') });
    await (p1 as unknown as { setTags(tags: unknown[]): Promise<void> }).setTags([t1, t2]);
    await (p2 as unknown as { addTag(tag: unknown): Promise<void> }).addTag(t1);
    report.created = [ada.toJSON(), bob.toJSON()];

    const withPosts = await User.findAll({
      include: [{ model: Post, as: 'posts', include: [{ model: Tag, as: 'tags', through: { attributes: [] } }] }],
      order: [['id', 'ASC'], [{ model: Post, as: 'posts' }, 'title', 'ASC'], [{ model: Post, as: 'posts' }, { model: Tag, as: 'tags' }, 'name', 'ASC']],
    });
    report.findAllInclude = withPosts.map((u) => u.toJSON());
    report.findAllWhere = (
      await Post.findAll({
        where: { [Op.or]: [{ published: true }, { title: { [Op.like]: 'N%' } }] },
        include: [{ model: User, as: 'author', attributes: ['username'] }],
        order: [['title', 'DESC']],
      })
    ).map((p) => p.toJSON());
    report.count = await Post.count({ where: { authorId: ada.get('id') } });
    report.tagCounts = (
      await Tag.findAll({
        attributes: ['name', [sequelize.fn('COUNT', sequelize.col('posts.id')), 'n']],
        include: [{ model: Post, as: 'posts', attributes: [], through: { attributes: [] } }],
        group: ['STag.id'],
        order: [['name', 'ASC']],
      })
    ).map((t) => t.toJSON());

    report.update = await Post.update({ published: true, score: '1.25' }, { where: { authorId: bob.get('id') }, returning: true });
    await ada.increment('karma', { by: 3 });
    await ada.reload();
    report.reloaded = ada.toJSON();

    // Managed transactions: the failing one leaves nothing behind.
    report.rolledBack = await sequelize
      .transaction(async (transaction) => {
        await User.create({ username: 'ghost' }, { transaction });
        await Post.destroy({ where: {}, transaction });
        throw new Error('undo');
      })
      .then(
        () => 'committed',
        (e: Error) => e.message,
      );
    await sequelize.transaction(async (transaction) => {
      await User.update({ karma: 10 }, { where: { username: 'bob' }, transaction });
    });
    report.afterTransactions = (await User.findAll({ attributes: ['username', 'karma'], order: [['username', 'ASC']] })).map((u) => u.toJSON());

    // upsert: INSERT ... ON CONFLICT DO UPDATE ... RETURNING.
    const [upserted, created] = await User.upsert({ id: bob.get('id'), username: 'bob', email: 'bob@example.com', karma: 11 }, { returning: true });
    report.upsertExisting = [upserted.toJSON(), created];
    const [inserted, created2] = await User.upsert({ username: 'cy', karma: 1 }, { returning: true });
    report.upsertNew = [inserted.toJSON(), created2];
    report.uniqueViolation = await User.create({ username: 'ada' }).then(
      () => 'created',
      (e: Error & { parent?: { code?: string } }) => [e.name, e.parent?.code],
    );

    report.destroyed = await Post.destroy({ where: { title: 'Hello' } });
    await bob.destroy();
    report.remaining = (
      await User.findAll({ include: [{ model: Post, as: 'posts', attributes: ['title'] }], order: [['username', 'ASC']], attributes: ['username'] })
    ).map((u) => u.toJSON());
    report.postTags = await sequelize.query('SELECT count(*)::int AS n FROM s_post_tags', { type: 'SELECT' });
    return stable(report) as Record<string, unknown>;
  } finally {
    await sequelize.close();
  }
}

/**
 * TypeORM 0.3 (EntitySchema, no decorators): a DataSource with synchronize (it reads
 * information_schema and pg_catalog to diff the schema), entities with many-to-one, one-to-many and
 * many-to-many relations, repository save/find with relations, QueryRunner transactions (one rolled
 * back), a migration run and its revert.
 */
export async function typeormScenario(endpoint: Endpoint): Promise<Record<string, unknown>> {
  await import('reflect-metadata');
  const { DataSource, EntitySchema } = await import('typeorm');
  interface Author { id: number; name: string; email: string | null; joined: Date; articles?: Article[] }
  interface Article { id: number; title: string; words: number; rating: string | null; tagsJson: unknown; author?: Author; labels?: Label[] }
  interface Label { id: number; name: string }
  const AuthorEntity = new EntitySchema<Author>({
    name: 'Author',
    tableName: 't_authors',
    columns: {
      id: { type: Number, primary: true, generated: 'increment' },
      name: { type: 'varchar', length: 80, unique: true },
      email: { type: 'text', nullable: true },
      joined: { type: 'timestamptz', createDate: true },
    },
    relations: { articles: { type: 'one-to-many', target: 'Article', inverseSide: 'author' } },
  });
  const ArticleEntity = new EntitySchema<Article>({
    name: 'Article',
    tableName: 't_articles',
    columns: {
      id: { type: Number, primary: true, generated: 'increment' },
      title: { type: 'varchar', length: 200 },
      words: { type: 'int', default: 0 },
      rating: { type: 'numeric', precision: 4, scale: 1, nullable: true },
      tagsJson: { type: 'jsonb', nullable: true, name: 'tags_json' },
    },
    indices: [{ name: 't_articles_title_idx', columns: ['title'] }],
    relations: {
      author: { type: 'many-to-one', target: 'Author', inverseSide: 'articles', joinColumn: { name: 'author_id' }, nullable: false, onDelete: 'CASCADE' },
      labels: { type: 'many-to-many', target: 'Label', joinTable: { name: 't_article_labels', joinColumn: { name: 'article_id' }, inverseJoinColumn: { name: 'label_id' } } },
    },
  });
  const LabelEntity = new EntitySchema<Label>({
    name: 'Label',
    tableName: 't_labels',
    columns: { id: { type: Number, primary: true, generated: 'increment' }, name: { type: 'varchar', unique: true } },
  });
  interface Visit { id: string; page: string }
  // A uuid primary key TypeORM generates: it creates the uuid-ossp extension and uses uuid_generate_v4().
  const VisitEntity = new EntitySchema<Visit>({
    name: 'Visit',
    tableName: 't_visits',
    columns: { id: { type: 'uuid', primary: true, generated: 'uuid' }, page: { type: 'text' } },
  });
  class AddSummary1700000000000 {
    name = 'AddSummary1700000000000';
    async up(qr: import('typeorm').QueryRunner): Promise<void> {
      await qr.query('ALTER TABLE "t_articles" ADD "summary" text');
      await qr.query(`UPDATE "t_articles" SET "summary" = 'about ' || "title"`);
    }
    async down(qr: import('typeorm').QueryRunner): Promise<void> {
      await qr.query('ALTER TABLE "t_articles" DROP COLUMN "summary"');
    }
  }
  const options = {
    type: 'postgres' as const,
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    database: endpoint.database,
    entities: [AuthorEntity, ArticleEntity, LabelEntity, VisitEntity],
    migrations: [AddSummary1700000000000],
    migrationsTableName: 't_migrations',
    synchronize: true,
    logging: false,
    poolSize: 2,
  };
  const report: Record<string, unknown> = {};
  let dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    // A second DataSource synchronizes against the tables the first created: nothing to change.
    await dataSource.destroy();
    dataSource = new DataSource(options);
    await dataSource.initialize();
    report.pendingSchemaChanges = (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
    const qr = dataSource.createQueryRunner();
    try {
      const table = await qr.getTable('t_articles');
      report.articleTable = {
        // Sorted: TypeORM lists them in the order its catalog queries return them, which no ORDER BY fixes.
        columns: table!.columns
          .map((c) => ({ name: c.name, type: c.type, length: c.length, precision: c.precision, scale: c.scale, nullable: c.isNullable, default: c.default, primary: c.isPrimary, generated: c.isGenerated, unique: c.isUnique }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        indices: table!.indices.map((i) => ({ columns: i.columnNames, unique: i.isUnique, name: i.name })).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
        foreignKeys: table!.foreignKeys.map((f) => ({ columns: f.columnNames, referenced: f.referencedTableName, referencedColumns: f.referencedColumnNames, onDelete: f.onDelete })),
      };
      report.labelsTable = (await qr.getTable('t_article_labels'))!.foreignKeys.map((f) => [f.columnNames, f.referencedTableName, f.onDelete]).sort();
      report.visitsId = (await qr.getTable('t_visits'))!.columns.filter((c) => c.isPrimary).map((c) => ({ name: c.name, type: c.type, generated: c.isGenerated, strategy: c.generationStrategy, default: c.default }));
    } finally {
      await qr.release();
    }

    const authors = dataSource.getRepository<Author>('Author');
    const articles = dataSource.getRepository<Article>('Article');
    const labels = dataSource.getRepository<Label>('Label');
    const [ts, sql] = await labels.save([{ name: 'typescript' }, { name: 'sql' }]);
    const ann = await authors.save({ name: 'Ann', email: 'ann@example.com' });
    const ben = await authors.save({ name: 'Ben', email: null });
    await articles.save([
      { title: 'Types', words: 1200, rating: '4.5', tagsJson: { level: 'intro' }, author: ann, labels: [ts!] },
      { title: 'Joins', words: 800, author: ann, labels: [ts!, sql!] },
      { title: 'Indexes', author: ben, labels: [sql!] },
    ]);
    report.savedAuthor = ann;
    const visits = await dataSource.getRepository<Visit>('Visit').save([{ page: '/a' }, { page: '/b' }]);
    report.visits = visits.map((v) => [v.page, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(v.id)]);
    report.findWithRelations = await authors.find({ relations: { articles: { labels: true } }, order: { name: 'ASC', articles: { title: 'ASC', labels: { name: 'ASC' } } } });
    report.findOne = await articles.findOne({ where: { title: 'Joins' }, relations: { author: true, labels: true }, order: { labels: { name: 'ASC' } } });
    report.queryBuilder = await articles
      .createQueryBuilder('a')
      .innerJoin('a.author', 'au')
      .select('au.name', 'author')
      .addSelect('COUNT(a.id)', 'n')
      .addSelect('SUM(a.words)', 'words')
      .groupBy('au.name')
      .orderBy('au.name')
      .getRawMany();
    report.findAndCount = await articles.findAndCount({ where: { author: { name: 'Ann' } }, order: { id: 'ASC' }, take: 1, skip: 1 });
    await articles.update({ title: 'Indexes' }, { words: 50, rating: '3.0' });
    ann.email = 'ann@example.org';
    await authors.save(ann);
    report.afterUpdate = await articles.find({ select: { title: true, words: true, rating: true }, order: { title: 'ASC' } });

    // QueryRunner transactions: a rollback leaves nothing, a commit keeps everything.
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.manager.save('Author', { name: 'Temp' });
      await runner.manager.delete('Article', { title: 'Types' });
      await runner.rollbackTransaction();
      await runner.startTransaction();
      await runner.manager.increment('Article', { title: 'Joins' }, 'words', 10);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    report.afterTransactions = [await authors.count(), await articles.findOneBy({ title: 'Joins' }).then((a) => a?.words), await articles.countBy({ title: 'Types' })];
    report.managerTransaction = await dataSource
      .transaction(async (manager) => {
        await manager.save('Label', { name: 'temporary' });
        await manager.save('Label', { name: 'sql' });
      })
      .then(
        () => 'committed',
        (e: { code?: string }) => e.code,
      );
    report.labelsAfter = await labels.find({ order: { name: 'ASC' } });

    // Migrations: one pending, run, then reverted.
    report.pendingMigrations = await dataSource.showMigrations();
    report.migrationsRun = (await dataSource.runMigrations()).map((m) => m.name);
    report.summaries = await dataSource.query('SELECT title, summary FROM t_articles ORDER BY title');
    report.migrationsTable = await dataSource.query('SELECT name FROM t_migrations ORDER BY id');
    await dataSource.undoLastMigration();
    report.summaryAfterRevert = await dataSource.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 't_articles' AND column_name = 'summary'");

    await authors.delete({ name: 'Ben' });
    report.afterCascade = await articles.find({ order: { title: 'ASC' }, select: { title: true } });
    return stable(report) as Record<string, unknown>;
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Kysely 0.29: schema builder, introspection (getTables, which reads pg_catalog), and typed
 * queries: inserts with returning, joins, aggregates, a transaction rolled back, upsert.
 */
export async function kyselyScenario(endpoint: Endpoint): Promise<Record<string, unknown>> {
  const { Kysely, PostgresDialect, sql } = await import('kysely');
  const { default: pg } = await import('pg');
  interface Database {
    y_teams: { id: import('kysely').Generated<number>; name: string; founded: number | null };
    y_players: { id: import('kysely').Generated<string>; team_id: number; nick: string; score: import('kysely').Generated<number>; joined: import('kysely').Generated<Date> };
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...endpoint, max: 2 }) }) });
  const report: Record<string, unknown> = {};
  try {
    await db.schema
      .createTable('y_teams')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(50)', (c) => c.notNull().unique())
      .addColumn('founded', 'integer', (c) => c.check(sql`founded > 1800`))
      .execute();
    await db.schema
      .createTable('y_players')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('team_id', 'integer', (c) => c.notNull().references('y_teams.id').onDelete('cascade'))
      .addColumn('nick', 'text', (c) => c.notNull())
      .addColumn('score', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('joined', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('y_players_team_nick', ['team_id', 'nick'])
      .execute();
    await db.schema.createIndex('y_players_score_idx').on('y_players').column('score').execute();
    await db.schema.alterTable('y_teams').addColumn('city', 'text').execute();
    await db.schema.alterTable('y_teams').dropColumn('city').execute();

    const tables = (await db.introspection.getTables()).filter((t) => t.name.startsWith('y_'));
    report.tables = tables
      .map((t) => ({ ...t, columns: [...t.columns].sort((a, b) => a.name.localeCompare(b.name)) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    report.schemas = (await db.introspection.getSchemas()).map((s) => s.name).filter((n) => n === 'public');

    const teams = await db
      .insertInto('y_teams')
      .values([
        { name: 'Owls', founded: 1901 },
        { name: 'Foxes', founded: null },
      ])
      .returning(['id', 'name'])
      .execute();
    report.teams = teams;
    const [owls, foxes] = teams;
    report.players = await db
      .insertInto('y_players')
      .values([
        { team_id: owls!.id, nick: 'ace', score: 10 },
        { team_id: owls!.id, nick: 'bo' },
        { team_id: foxes!.id, nick: 'cy', score: 7 },
      ])
      .returning(['id', 'nick', 'score'])
      .execute();
    report.checkViolation = await db
      .insertInto('y_teams')
      .values({ name: 'Old', founded: 1700 })
      .execute()
      .then(
        () => 'inserted',
        (e: { code?: string; constraint?: string }) => [e.code, e.constraint],
      );
    report.joined = await db
      .selectFrom('y_players as p')
      .innerJoin('y_teams as t', 't.id', 'p.team_id')
      .select(['t.name as team', 'p.nick', 'p.score'])
      .where('p.score', '>=', 0)
      .orderBy('t.name')
      .orderBy('p.nick', 'desc')
      .execute();
    report.aggregate = await db
      .selectFrom('y_teams as t')
      .leftJoin('y_players as p', 'p.team_id', 't.id')
      .select((eb) => ['t.name', eb.fn.count<string>('p.id').as('players'), eb.fn.coalesce(eb.fn.sum<number>('p.score'), sql<number>`0`).as('total')])
      .groupBy('t.name')
      .having((eb) => eb.fn.count('p.id'), '>', 0)
      .orderBy('total', 'desc')
      .execute();
    report.subquery = await db
      .selectFrom('y_teams')
      .select(['name'])
      .where('id', 'in', (eb) => eb.selectFrom('y_players').select('team_id').where('score', '>', 8))
      .execute();
    report.updated = await db.updateTable('y_players').set((eb) => ({ score: eb('score', '+', 5) })).where('nick', 'in', ['bo', 'cy']).returning(['nick', 'score']).execute();
    report.upsert = await db
      .insertInto('y_players')
      .values({ team_id: owls!.id, nick: 'ace', score: 1 })
      .onConflict((oc) => oc.columns(['team_id', 'nick']).doUpdateSet((eb) => ({ score: eb('excluded.score', '+', eb.ref('y_players.score')) })))
      .returning(['nick', 'score'])
      .execute();
    report.rolledBack = await db
      .transaction()
      .execute(async (trx) => {
        await trx.deleteFrom('y_players').execute();
        await trx.insertInto('y_teams').values({ name: 'Temp', founded: 2000 }).execute();
        throw new Error('undo');
      })
      .then(
        () => 'committed',
        (e: Error) => e.message,
      );
    report.deleted = await db.deleteFrom('y_teams').where('name', '=', 'Foxes').returning('name').execute();
    report.remaining = await db.selectFrom('y_players').select(['nick', 'score', 'joined']).orderBy('nick').execute();
    return stable(report) as Record<string, unknown>;
  } finally {
    await db.destroy();
  }
}
