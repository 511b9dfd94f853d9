// Turning a store this redqueen wrote back into an older version's, for the
// tests of migrations: SQL to run before a test drops what came later.
#pragma once

#include <sqlite3.h>

namespace redqueen::bishop {

/// Version 9 kept each test's binary and target in its own row of a
/// `tests` table; version 10 keeps them once, in `binaries`.
inline constexpr const char* kBackToVersion9 = R"sql(
DROP VIEW tests;
CREATE TABLE tests (
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
INSERT INTO tests (id, binary, target, name, file, line, type_param, value_param)
  SELECT t.id, b.path, b.target, t.name, t.file, t.line, t.type_param, t.value_param
    FROM test_rows t JOIN binaries b ON b.id = t.binary_id;
DROP TABLE test_rows;
DROP TABLE binaries;
PRAGMA user_version = 9;
)sql";

/// Version 8 had one `executions` table: the passes that version 9 keeps in
/// `passes` become its rows again.
inline constexpr const char* kVersion9BackTo8 = R"sql(
DROP VIEW executions;
ALTER TABLE execution_rows RENAME TO executions;
INSERT INTO executions (id, run_id, test_id, attempt, status, duration_us, finished_us,
    pawn, skip_message, crash, output, repetition, final, not_run, shard)
  SELECT p.first_id + r.key, p.run_id, json_extract(r.value, '$[0]'),
         json_extract(r.value, '$[2]'), 'PASSED', json_extract(r.value, '$[4]'),
         json_extract(r.value, '$[5]'), json_extract(r.value, '$[6]'), '', '', X'',
         json_extract(r.value, '$[1]'), json_extract(r.value, '$[3]'), 0, p.shard
    FROM passes p, json_each(p.rows) r;
DROP TABLE passes;
PRAGMA user_version = 8;
)sql";

/// Turns a store this redqueen wrote into version 8's; SQLite's result code.
inline int BackToVersion8(sqlite3* db) {
  const int rc = sqlite3_exec(db, kBackToVersion9, nullptr, nullptr, nullptr);
  return rc != SQLITE_OK ? rc
                         : sqlite3_exec(db, kVersion9BackTo8, nullptr, nullptr, nullptr);
}

}  // namespace redqueen::bishop
