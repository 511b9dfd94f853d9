// The store's SQL: the current schema, made whole on a new store, and the
// migrations that bring each earlier version to it. In a header of their own
// so that a test can build a store the way an old redqueen left it and check
// that migrating it ends where a new store begins.
#pragma once

namespace redqueen::bishop::schema_sql {

/// The schema of version 10 (store.h's kSchemaVersion), as a new store gets
/// it: in one step rather than through the ten below, whose ALTERs each made
/// SQLite parse the whole schema again (18M instructions, most of a first
/// run's start). Column order, defaults and references are the migrated
/// store's, so a store reads alike however it was made; the schema test
/// checks that they agree. (A reference to `tests` or `executions` names a
/// view now: SQLite does not enforce references here, see Store::Migrate.)
inline constexpr const char* kSchemaCurrent = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  completed_at TEXT,
  status TEXT NOT NULL DEFAULT 'running',
  command TEXT NOT NULL,
  jobs INTEGER NOT NULL,
  total_tests INTEGER,
  tests_passed INTEGER,
  tests_failed INTEGER,
  tests_skipped INTEGER,
  execution_errors INTEGER,
  flaky INTEGER,
  execution_time REAL,
  shard_index INTEGER NOT NULL DEFAULT 0,
  shard_count INTEGER NOT NULL DEFAULT 1,
  partition TEXT NOT NULL DEFAULT '',
  history_digest TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT ''
);
CREATE TABLE execution_rows (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  test_id INTEGER NOT NULL REFERENCES tests (id),
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  duration_us INTEGER NOT NULL,
  finished_us INTEGER NOT NULL,  -- Unix time, microseconds
  pawn INTEGER NOT NULL,
  skip_message TEXT NOT NULL,
  crash TEXT NOT NULL,
  output BLOB NOT NULL,
  repetition INTEGER NOT NULL DEFAULT 0,
  final INTEGER NOT NULL DEFAULT 1,
  not_run INTEGER NOT NULL DEFAULT 0,
  shard INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE failures (
  execution_id INTEGER NOT NULL REFERENCES execution_rows (id),
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX executions_by_run ON execution_rows (run_id);
CREATE INDEX failures_by_execution ON failures (execution_id);
CREATE TABLE suites (
  binary TEXT NOT NULL,
  target TEXT NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs (id),  -- the run that wrote it
  snapshot BLOB NOT NULL,                        -- see bishop/suite.h
  PRIMARY KEY (binary, target)
);
CREATE TABLE shard_tests (
  run_id INTEGER NOT NULL REFERENCES runs (id),
  test_id INTEGER NOT NULL REFERENCES tests (id)
);
CREATE TABLE bench_runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  command TEXT NOT NULL,
  git_commit TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,         -- bench or ab
  machine_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL   -- JSON: proto/bench.h's Fingerprint
);
CREATE TABLE bench_samples (
  run_id INTEGER NOT NULL REFERENCES bench_runs (id),
  position INTEGER NOT NULL,
  binary TEXT NOT NULL,
  benchmark TEXT NOT NULL,
  kind TEXT NOT NULL,         -- fixture or google-benchmark
  arm TEXT NOT NULL DEFAULT '',
  repetition INTEGER NOT NULL,
  iterations INTEGER NOT NULL,
  real_ns REAL NOT NULL,      -- per iteration
  cpu_ns REAL NOT NULL,
  counters TEXT NOT NULL DEFAULT '{}',  -- JSON {"name": number}: number_map.h
  quality TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX bench_samples_by_run ON bench_samples (run_id);
CREATE TABLE bench_errors (
  run_id INTEGER NOT NULL REFERENCES bench_runs (id),
  position INTEGER NOT NULL,
  binary TEXT NOT NULL,
  benchmark TEXT NOT NULL,
  kind TEXT NOT NULL,
  arm TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL
);
CREATE INDEX bench_errors_by_run ON bench_errors (run_id);
CREATE TABLE passes (
  last_id INTEGER PRIMARY KEY,
  first_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  shard INTEGER NOT NULL,
  rows TEXT NOT NULL  -- [[test_id, repetition, attempt, final, duration_us, finished_us, pawn], ...]
);
CREATE INDEX passes_by_run ON passes (run_id);
CREATE VIEW executions AS
  SELECT id, run_id, test_id, attempt, status, duration_us, finished_us, pawn,
         skip_message, crash, output, repetition, final, not_run, shard
    FROM execution_rows
  UNION ALL
  SELECT p.first_id + r.key, p.run_id, json_extract(r.value, '$[0]'),
         json_extract(r.value, '$[2]'), 'PASSED', json_extract(r.value, '$[4]'),
         json_extract(r.value, '$[5]'), json_extract(r.value, '$[6]'), '', '', X'',
         json_extract(r.value, '$[1]'), json_extract(r.value, '$[3]'), 0, p.shard
    FROM passes p, json_each(p.rows) r;
CREATE TABLE binaries (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  target TEXT NOT NULL,
  UNIQUE (path, target)
);
CREATE TABLE test_rows (
  id INTEGER PRIMARY KEY,
  binary_id INTEGER NOT NULL REFERENCES binaries (id),
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  type_param TEXT NOT NULL,
  value_param TEXT NOT NULL
);
CREATE INDEX test_rows_by_binary ON test_rows (binary_id);
CREATE VIEW tests AS
  SELECT t.id, b.path AS binary, b.target, t.name, t.file, t.line, t.type_param,
         t.value_param
    FROM test_rows t JOIN binaries b ON b.id = t.binary_id;
)sql";

/// Version 1, as redqueen 0.1 made a new store, then the migrations, each
/// from the version before. A store of any version reaches kSchemaCurrent.
inline constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  completed_at TEXT,
  status TEXT NOT NULL DEFAULT 'running',
  command TEXT NOT NULL,
  jobs INTEGER NOT NULL,
  total_tests INTEGER,
  tests_passed INTEGER,
  tests_failed INTEGER,
  tests_skipped INTEGER,
  execution_errors INTEGER,
  flaky INTEGER,
  execution_time REAL
);
CREATE TABLE tests (
  id INTEGER PRIMARY KEY,
  binary TEXT NOT NULL,
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  type_param TEXT NOT NULL,
  value_param TEXT NOT NULL,
  UNIQUE (binary, name)
);
CREATE TABLE executions (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  test_id INTEGER NOT NULL REFERENCES tests (id),
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  duration_us INTEGER NOT NULL,
  finished_us INTEGER NOT NULL,  -- Unix time, microseconds
  pawn INTEGER NOT NULL,
  skip_message TEXT NOT NULL,
  crash TEXT NOT NULL,
  output BLOB NOT NULL
);
CREATE TABLE failures (
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX executions_by_run ON executions (run_id);
CREATE INDEX executions_by_test ON executions (test_id);
CREATE INDEX failures_by_execution ON failures (execution_id);
)sql";

// Version 2: --repeat and --retries record every attempt; `final` marks the
// one that decided the test's outcome.
inline constexpr const char* kMigrateToV2 = R"sql(
ALTER TABLE executions ADD COLUMN repetition INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN final INTEGER NOT NULL DEFAULT 1;
)sql";

// Version 3: --target runs every test once per target, and a test's identity
// includes its target. SQLite cannot change a UNIQUE constraint in place, so
// the table is rebuilt, ids kept. And executions lose their index by test.
inline constexpr const char* kMigrateToV3 = R"sql(
CREATE TABLE tests_v3 (
  id INTEGER PRIMARY KEY,
  binary TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  type_param TEXT NOT NULL,
  value_param TEXT NOT NULL,
  UNIQUE (binary, target, name)
);
INSERT INTO tests_v3 (id, binary, name, file, line, type_param, value_param)
  SELECT id, binary, name, file, line, type_param, value_param FROM tests;
DROP TABLE tests;
ALTER TABLE tests_v3 RENAME TO tests;
-- Inserts into an index by test land all over it: with months of history
-- each result dirtied a page of its own. Nothing reads by test any more.
DROP INDEX IF EXISTS executions_by_test;
)sql";

// Version 4: what each binary's last run left for its next (suite.h), so
// that a rerun reads one row. Histories start afresh from this version on.
inline constexpr const char* kMigrateToV4 = R"sql(
CREATE TABLE suites (
  binary TEXT NOT NULL,
  target TEXT NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs (id),  -- the run that wrote it
  snapshot BLOB NOT NULL,                        -- see bishop/suite.h
  PRIMARY KEY (binary, target)
);
)sql";

// Version 5: why redqueen did not run a test is a number (NotRun), not its
// message; the messages earlier versions wrote are read once, here.
inline constexpr const char* kMigrateToV5 = R"sql(
ALTER TABLE executions ADD COLUMN not_run INTEGER NOT NULL DEFAULT 0;
UPDATE executions SET not_run = CASE
    WHEN skip_message = 'fail-fast' THEN 1
    WHEN skip_message = 'interrupted' THEN 2
    WHEN skip_message LIKE 'interrupted while it was running, after %' THEN 3
    WHEN skip_message = 'not run: the run stopped' THEN 4
    ELSE 0 END
  WHERE status = 'SKIPPED';
)sql";

// Version 6: a run may be one CI shard of a suite (--shard K/N); a merge of
// the shards' stores checks that they split it alike.
inline constexpr const char* kMigrateToV6 = R"sql(
ALTER TABLE runs ADD COLUMN shard_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN shard_count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN partition TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN history_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN host TEXT NOT NULL DEFAULT '';
-- Every test a shard's filter selected, before the shard took its share:
-- what the shards together must have run, each test once.
CREATE TABLE shard_tests (
  run_id INTEGER NOT NULL REFERENCES runs (id),
  test_id INTEGER NOT NULL REFERENCES tests (id)
);
)sql";

// Version 7: `redqueen merge` joins CI shards' runs into one, and each
// execution keeps the shard that ran it (0: the run's own). One integer, not
// the machine's name: SQLite stores 0 and 1 in a record's header alone, so
// an ordinary run's 10,000 rows grow by a byte each; the names go once, on
// the merged run's row (runs.host, one per shard).
inline constexpr const char* kMigrateToV7 = R"sql(
ALTER TABLE executions ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 8: benchmark runs (`redqueen bench`, `bench ab`), numbered apart
// from test runs: every sample of every benchmark, so that a later compare
// can judge them again, and the benchmarks that measured nothing. A
// result's `position` in its run keeps the order it was given in across
// both tables.
inline constexpr const char* kMigrateToV8 = R"sql(
CREATE TABLE bench_runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  command TEXT NOT NULL,
  git_commit TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,         -- bench or ab
  machine_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL   -- JSON: proto/bench.h's Fingerprint
);
CREATE TABLE bench_samples (
  run_id INTEGER NOT NULL REFERENCES bench_runs (id),
  position INTEGER NOT NULL,
  binary TEXT NOT NULL,
  benchmark TEXT NOT NULL,
  kind TEXT NOT NULL,         -- fixture or google-benchmark
  arm TEXT NOT NULL DEFAULT '',
  repetition INTEGER NOT NULL,
  iterations INTEGER NOT NULL,
  real_ns REAL NOT NULL,      -- per iteration
  cpu_ns REAL NOT NULL,
  counters TEXT NOT NULL DEFAULT '{}',  -- JSON {"name": number}: number_map.h
  quality TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX bench_samples_by_run ON bench_samples (run_id);
CREATE TABLE bench_errors (
  run_id INTEGER NOT NULL REFERENCES bench_runs (id),
  position INTEGER NOT NULL,
  binary TEXT NOT NULL,
  benchmark TEXT NOT NULL,
  kind TEXT NOT NULL,
  arm TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL
);
CREATE INDEX bench_errors_by_run ON bench_errors (run_id);
)sql";

// Version 9: plain passes go compactly, many to a row of `passes`
// (bishop/pass_rows.h); the table of every other execution is
// `execution_rows`, and `executions` is the view of both, with the columns
// the table had. Ids stay one sequence: a `passes` row's executions are
// first_id, first_id + 1, ... in its array's order, its last id its key.
inline constexpr const char* kMigrateToV9 = R"sql(
ALTER TABLE executions RENAME TO execution_rows;
CREATE TABLE passes (
  last_id INTEGER PRIMARY KEY,
  first_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  shard INTEGER NOT NULL,
  rows TEXT NOT NULL  -- [[test_id, repetition, attempt, final, duration_us, finished_us, pawn], ...]
);
CREATE INDEX passes_by_run ON passes (run_id);
CREATE VIEW executions AS
  SELECT id, run_id, test_id, attempt, status, duration_us, finished_us, pawn,
         skip_message, crash, output, repetition, final, not_run, shard
    FROM execution_rows
  UNION ALL
  SELECT p.first_id + r.key, p.run_id, json_extract(r.value, '$[0]'),
         json_extract(r.value, '$[2]'), 'PASSED', json_extract(r.value, '$[4]'),
         json_extract(r.value, '$[5]'), json_extract(r.value, '$[6]'), '', '', X'',
         json_extract(r.value, '$[1]'), json_extract(r.value, '$[3]'), 0, p.shard
    FROM passes p, json_each(p.rows) r;
)sql";

// Version 10: a binary's path and target are stored once, in `binaries`,
// instead of in every row of its tests and again in their UNIQUE index,
// whose string keys were compared at every level of each insert: a first
// run of 10,000 tests spent 13 ms of SQLite there and wrote 1.9 MB; by the
// binary's id, 5 ms and 0.8 MB. `tests` is now a view with the columns the
// table had. AddTests matches a binary's rows to its list by name (a name
// registered n times keeps n rows, in id order); the index by binary is all
// its reads need.
inline constexpr const char* kMigrateToV10 = R"sql(
CREATE TABLE binaries (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  target TEXT NOT NULL,
  UNIQUE (path, target)
);
INSERT INTO binaries (path, target)
  SELECT binary, target FROM tests GROUP BY binary, target ORDER BY min(id);
CREATE TABLE test_rows (
  id INTEGER PRIMARY KEY,
  binary_id INTEGER NOT NULL REFERENCES binaries (id),
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  type_param TEXT NOT NULL,
  value_param TEXT NOT NULL
);
INSERT INTO test_rows (id, binary_id, name, file, line, type_param, value_param)
  SELECT t.id, b.id, t.name, t.file, t.line, t.type_param, t.value_param
    FROM tests t JOIN binaries b ON b.path = t.binary AND b.target = t.target;
DROP TABLE tests;
CREATE INDEX test_rows_by_binary ON test_rows (binary_id);
CREATE VIEW tests AS
  SELECT t.id, b.path AS binary, b.target, t.name, t.file, t.line, t.type_param,
         t.value_param
    FROM test_rows t JOIN binaries b ON b.id = t.binary_id;
)sql";

}  // namespace redqueen::bishop::schema_sql
