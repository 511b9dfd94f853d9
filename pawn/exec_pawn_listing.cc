// ExecPawn::Collect: the binary's tests, from the list the Queen handed over
// for this very binary (proto/known_list.h), else from `BINARY
// --gtest_list_tests` (its JSON listing when gtest writes one, else its text).
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "pawn/exec_pawn.h"
#include "pawn/gtest_bytes.h"
#include "pawn/gtest_report.h"
#include "pawn/test_list.h"
#include "proto/children.h"
#include "proto/known_list.h"

namespace redqueen::pawn {

bool ExecPawn::TakeKnownList() {
  const char* variable = std::getenv(proto::kEnvKnownList);
  if (!variable || !*variable) return false;
  const std::string path = variable;
  // The binary's children, and any redqueen among them, are not this pawn.
  unsetenv(proto::kEnvKnownList);
  std::optional<proto::KnownList> known = proto::ReadKnownList(path);
  if (!known || known->binary != options_.binary || known->args != options_.args ||
      known->list.tests.empty()) {
    return false;
  }
  // The Queen checked the binary before any pawn started; a pawn started
  // later (a replacement) may find another file there since.
  const std::optional<proto::BinaryIdentity> now = proto::IdentifyBinary(options_.binary);
  if (!now || *now != known->identity) return false;
  tests_ = std::move(known->list.tests);
  return true;
}

bool ExecPawn::Collect(std::string* error) {
  Publish(proto::Phase::kListing, proto::Scoreboard::kIdle);
  if (!TakeKnownList() && !ListByRunning(error)) return false;
  for (const proto::TestInfo& test : tests_) {
    names_.push_back(test.name);
    longest_name_ = std::max(longest_name_, test.name.size());
  }
  for (uint32_t i = 0; i < tests_.size(); ++i) index_of_.emplace(names_[i], i);
  suite_sizes_ = CountSuites(names_);
  return true;
}

bool ExecPawn::ListByRunning(std::string* error) {
  // The JSON listing is exact whatever else main() prints; the text one is
  // the fallback for a gtest that writes none.
  const std::string listing = TempPath("list");
  std::vector<std::string> args = options_.args;
  args.push_back("--gtest_list_tests");
  args.push_back("--gtest_output=json:" + listing);
  ChildProcess child;
  if (!child.Start(options_.binary, args, error)) return false;
  // However long it takes: the Rook's deadline for the pawn's hello ends it.
  std::string text;
  while (child.Read(&text)) {
  }
  const int status = child.Wait();
  proto::KillOrphans();
  const bool from_json = ReadGtestListing(listing, &tests_);
  std::remove(listing.c_str());
  if (!from_json && !ParseTestList(text, &tests_, error)) {
    *error = "unreadable --gtest_list_tests output: " + *error;
    return false;
  }
  // A main() of its own may check things after listing and exit non-zero
  // (googletest-listener-test does); a full listing is still a listing.
  if (WIFSIGNALED(status) || (WEXITSTATUS(status) != 0 && tests_.empty())) {
    *error = "--gtest_list_tests ended with " + DescribeWaitStatus(status);
    return false;
  }
  // A test's identity is the bytes gtest registered (gtest_bytes.h); the
  // text listing has them as they are.
  if (!from_json) return true;
  for (proto::TestInfo& test : tests_) {
    for (std::string* field :
         {&test.name, &test.file, &test.type_param, &test.value_param}) {
      *field = GtestBytes(*field);
    }
  }
  return true;
}

}  // namespace redqueen::pawn
