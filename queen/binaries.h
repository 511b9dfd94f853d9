// The binaries of a run: what each one is (probed before anything runs),
// one per --target, how its pawns start and what its Rook runs with. Shared
// by `redqueen run` and `redqueen list`.
#pragma once

#include <string>
#include <vector>

#include "knight/knight.h"
#include "queen/options.h"
#include "rook/rook.h"

namespace redqueen::queen {

struct Binary {
  std::string path;  ///< As given on the command line.
  /// How the store and the reports name it: its path in its build tree, or
  /// from the settings file or the git checkout (binaries.cc, Identity).
  std::string identity;
  bool resident = false;
  /// The --target this run of the binary is for (empty: none), and its index.
  std::string target;
  size_t target_index = 0;
};

/// Finds out what each binary of the run is (--from-ctest's too). False with
/// `*error` when one cannot run as asked.
bool ProbeAll(const RunOptions& options, std::vector<Binary>* binaries,
              std::string* error);

/// With --target, a run of each binary per target, binary by binary.
std::vector<Binary> PerTarget(const RunOptions& options, std::vector<Binary> binaries);

/// How people read a binary's tests: "x_test", or "x_test@chrome".
std::string LabelOf(const Binary& binary);

/// How the pawns of `binary` start; `label` tells its files from another's.
knight::PawnSpec SpecFor(const RunOptions& options, const Binary& binary, size_t label,
                         const std::string& run_dir);

/// What every binary's Rook runs with (the session adds its shard rule and
/// what the store remembers); `binaries` is how many share the pawns.
rook::RookOptions RookOptionsFor(const RunOptions& options, size_t binaries,
                                 rook::PlanOptions plan);

}  // namespace redqueen::queen
