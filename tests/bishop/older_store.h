// Turning a store this redqueen wrote back into an older version's, for the
// tests of migrations: SQL to run before a test drops what came later.
#pragma once

namespace redqueen::bishop {

/// Version 8 had one `executions` table: the passes that version 9 keeps in
/// `passes` become its rows again.
inline constexpr const char* kBackToVersion8 = R"sql(
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

}  // namespace redqueen::bishop
