#include "queen/binaries.h"

#include <algorithm>
#include <filesystem>

#include "knight/memory.h"
#include "queen/from_ctest.h"
#include "queen/probe.h"
#include "queen/report_text.h"

namespace redqueen::queen {
namespace {

std::string Absolute(const std::string& path) {
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

namespace fs = std::filesystem;

/// The nearest folder above `file` that holds `marker`, or empty.
fs::path FolderWith(const fs::path& file, const char* marker) {
  std::error_code ec;
  for (fs::path folder = file.parent_path(); !folder.empty();
       folder = folder.parent_path()) {
    if (fs::exists(folder / marker, ec)) return folder;
    if (folder == folder.root_path()) break;
  }
  return {};
}

/// Whether `path` lies inside `folder` (both absolute and normal).
bool Inside(const fs::path& path, const fs::path& folder) {
  const fs::path relative = path.lexically_relative(folder);
  return !folder.empty() && !relative.empty() && *relative.begin() != "..";
}

/// How the store and the reports name a binary, the same from whatever
/// folder redqueen starts in: its path relative to the build tree holding it
/// (the folder of its CMakeCache.txt, where CTest runs), else to the
/// settings file's folder, else to the git checkout, else as given. So
/// a/foo_test and b/foo_test stay distinct, and ./foo_test, $PWD/foo_test
/// and ../build/foo_test are one.
std::string Identity(const std::string& path, const std::string& config) {
  const fs::path absolute(Absolute(path));
  for (const fs::path& root :
       {FolderWith(absolute, "CMakeCache.txt"),
        config.empty() ? fs::path() : fs::path(Absolute(config)).parent_path(),
        FolderWith(absolute, ".git")}) {
    if (Inside(absolute, root)) return absolute.lexically_relative(root).string();
  }
  return fs::path(path).lexically_normal().string();
}

/// Two binaries of one run named alike (build-a/tests/x and build-b/tests/x,
/// each "tests/x" in its own build tree) are named by their paths from the
/// working directory instead, which tell them apart.
void KeepIdentitiesApart(std::vector<Binary>* binaries) {
  std::vector<bool> shared(binaries->size(), false);
  for (size_t i = 0; i < binaries->size(); ++i) {
    for (size_t j = 0; j < binaries->size(); ++j) {
      const Binary& a = (*binaries)[i];
      const Binary& b = (*binaries)[j];
      shared[i] =
          shared[i] || (a.identity == b.identity && Absolute(a.path) != Absolute(b.path));
    }
  }
  for (size_t i = 0; i < binaries->size(); ++i) {
    std::error_code ec;
    const fs::path from_here = fs::proximate(Absolute((*binaries)[i].path), ec);
    if (shared[i] && !ec) (*binaries)[i].identity = from_here.lexically_normal().string();
  }
}

/// This executable, which serves as the exec pawn too.
std::string SelfPath() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : path.string();
}

}  // namespace

bool ProbeAll(const RunOptions& options, std::vector<Binary>* binaries,
              std::string* error) {
  std::vector<std::string> paths = options.binaries;
  if (!options.from_ctest.empty() &&
      !BinariesFromCtest(options.from_ctest, &paths, error)) {
    return false;
  }
  for (const std::string& path : paths) {
    const BinaryKind kind = ProbeBinary(path, error);
    if (kind == BinaryKind::kUnusable) return false;
    Binary binary;
    binary.path = path;
    binary.identity = Identity(path, options.config_path);
    binary.resident = options.pawn == "resident" ||
                      (options.pawn == "auto" && kind == BinaryKind::kResidentPawn);
    if (binary.resident && kind != BinaryKind::kResidentPawn) {
      *error = "'" + path +
               "' is not linked with redqueen::gtest_main, so it cannot serve as a "
               "resident pawn; link redqueen::gtest_main instead of GTest::gtest_main "
               "(CMake: target_link_libraries(<target> PRIVATE redqueen::gtest_main)), "
               "or drop --pawn resident. None of its tests were run.";
      return false;
    }
    binaries->push_back(std::move(binary));
  }
  KeepIdentitiesApart(binaries);
  return true;
}

std::string LabelOf(const Binary& binary) {
  return BinaryLabel(binary.identity, binary.target);
}

std::vector<Binary> PerTarget(const RunOptions& options, std::vector<Binary> binaries) {
  if (options.targets.empty()) return binaries;
  std::vector<Binary> runs;
  for (const Binary& binary : binaries) {
    for (size_t t = 0; t < options.targets.size(); ++t) {
      Binary run = binary;
      run.target = options.targets[t].name;
      run.target_index = t;
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

knight::PawnSpec SpecFor(const RunOptions& options, const Binary& binary, size_t label,
                         const std::string& run_dir) {
  knight::PawnSpec spec;
  spec.label = std::to_string(label);
  if (binary.resident) {
    spec.binary = Absolute(binary.path);
    spec.args = options.pawn_args;
  } else {
    spec.binary = SelfPath();
    spec.args = {"exec-pawn", Absolute(binary.path), "--"};
    spec.args.insert(spec.args.end(), options.pawn_args.begin(), options.pawn_args.end());
  }
  spec.run_dir = run_dir;
  spec.pawn_count = options.jobs;
  // A pawn runs the tests it is sent: no shard, filter or report of its own.
  spec.unset_env = HiddenFromPawns(options.shard);
  if (!binary.target.empty()) {
    spec.env = options.targets[binary.target_index].env;
    spec.env.emplace_back("REDQUEEN_TARGET", binary.target);
  }
  return spec;
}

rook::RookOptions RookOptionsFor(const RunOptions& options, size_t binaries,
                                 rook::PlanOptions plan) {
  rook::RookOptions rook_options;
  rook_options.jobs = options.jobs;
  rook_options.max_restarts = options.max_restarts;
  rook_options.filter = options.gtest_filter;
  rook_options.also_run_disabled = options.also_run_disabled;
  rook_options.list_only = options.list_only;
  rook_options.output_cap = options.output_cap;
  rook_options.timeout = options.timeout;
  rook_options.slow = options.slow;
  rook_options.kill_grace = options.kill_grace;
  rook_options.start_timeout = std::chrono::seconds(options.list_timeout);
  rook_options.plan = plan;
  rook_options.serial = options.serial;
  rook_options.retries = options.retries;
  rook_options.repeat = static_cast<uint32_t>(options.repeat);
  rook_options.max_memory_percent = options.max_memory;
  rook_options.memory_used_percent = knight::MachineMemoryUsedPercent;
  // With several binaries, a pawn with nothing left to do moves on.
  rook_options.release_idle = binaries > 1;
  return rook_options;
}

}  // namespace redqueen::queen
