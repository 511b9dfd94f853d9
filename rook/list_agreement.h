// The list agreement: every pawn of a binary must register the same tests in
// the same order, or results would go to the wrong names. It holds the
// reference pawn's hello and list (or the list the store remembers), judges
// each pawn's hello and list against them, and words the first difference.
// It decides only: the Rook sends the ListTests and stops the run.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/history.h"
#include "proto/messages.h"

namespace redqueen::rook {

/// One line naming the first test on which two lists differ.
std::string FirstDifference(const std::vector<proto::TestInfo>& reference,
                            const std::vector<proto::TestInfo>& other,
                            const std::string& reference_pawn);

class ListAgreement {
 public:
  /// What a pawn's hello means.
  enum class HelloVerdict {
    kWrongProtocol,  ///< It speaks another protocol: ProtocolError() says so.
    kKnown,          ///< The first hello, of the list the store remembers: listed.
    kAgrees,         ///< Same count and hash as the reference.
    kSendList,       ///< Ask it for its list: the reference, or one that differs.
  };

  /// What a pawn's list means.
  enum class ListVerdict {
    kListed,     ///< The reference's list: the tests are known now.
    kBroken,     ///< The reference's list does not match its own hello.
    kDisagrees,  ///< Another pawn's differing list, kept for Disagreement().
  };

  /// The first disagreeing pawn, and what it gets wrong ("disagrees with
  /// pawn 0 on the test list: ..."), to follow its description.
  struct Difference {
    int slot = -1;
    std::string words;
  };

  /// What the store remembers of this binary: given before the first hello.
  void SetPast(Past past) { past_ = std::move(past); }

  /// The hello of the pawn in `slot`; the first one sets the reference.
  HelloVerdict OnHello(int slot, const proto::Hello& hello);
  /// The list the pawn in `slot` sent when asked.
  ListVerdict OnList(int slot, std::vector<proto::TestInfo> tests);
  /// Once listed, the first pawn whose list differs (nullopt: none so far).
  std::optional<Difference> Disagreement() const;

  /// What the store remembered, until the list is known.
  const std::optional<Past>& past() const { return past_; }

  /// The rest of the error for a hello of kWrongProtocol.
  static std::string ProtocolError(const proto::Hello& hello);

  /// True once the reference's tests are known.
  bool listed() const { return listed_; }
  /// The pawn whose hello is the reference, if any said hello yet.
  std::optional<int> reference_slot() const { return reference_slot_; }
  /// The list, in registration order (empty until listed).
  const std::vector<proto::TestInfo>& tests() const { return tests_; }
  /// The tests' history from before this run, aligned with tests() (empty:
  /// none).
  const History& history() const { return history_; }
  /// The reference hello's proto::ListHash.
  uint64_t list_hash() const { return reference_hello_.list_hash; }

 private:
  std::optional<int> reference_slot_;
  proto::Hello reference_hello_;
  std::vector<proto::TestInfo> tests_;
  bool listed_ = false;
  /// Until the list is known: what the store remembered.
  std::optional<Past> past_;
  History history_;
  /// Pawns whose hello disagreed; their lists name the first differing test.
  std::vector<std::pair<int, std::vector<proto::TestInfo>>> mismatched_;
};

}  // namespace redqueen::rook
