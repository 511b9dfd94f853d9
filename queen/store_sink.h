// Feeds the Rook's events into the Bishop's store.
#pragma once

#include <string>
#include <vector>

#include "bishop/store.h"
#include "rook/result.h"

namespace redqueen::queen {

class StoreSink : public rook::RunSink {
 public:
  StoreSink(bishop::Store* store, int64_t run_id, std::string binary, std::string target);

  void OnTestsListed(const std::vector<proto::TestInfo>& tests,
                     const std::vector<uint32_t>& selected) override;
  void OnResult(const rook::TestResult& result) override;

 private:
  bishop::Store* store_;
  int64_t run_id_;
  std::string binary_;
  std::string target_;
  std::vector<int64_t> test_ids_;
};

}  // namespace redqueen::queen
