#include "rook/list_agreement.h"

#include <algorithm>

namespace redqueen::rook {

std::string FirstDifference(const std::vector<proto::TestInfo>& reference,
                            const std::vector<proto::TestInfo>& other,
                            const std::string& reference_pawn) {
  const size_t common = std::min(reference.size(), other.size());
  for (size_t i = 0; i < common; ++i) {
    if (reference[i].name != other[i].name) {
      return "it has '" + other[i].name + "' as test #" + std::to_string(i) + " where " +
             reference_pawn + " has '" + reference[i].name + "'";
    }
  }
  if (other.size() > common) {
    return "it has an extra test '" + other[common].name + "' (#" +
           std::to_string(common) + ")";
  }
  if (reference.size() > common) {
    return "it lacks '" + reference[common].name + "' (#" + std::to_string(common) +
           ") that " + reference_pawn + " has";
  }
  return "same names, different hash (a pawn built from other sources?)";
}

ListAgreement::HelloVerdict ListAgreement::OnHello(int slot, const proto::Hello& hello) {
  if (hello.protocol_version != proto::kProtocolVersion) {
    return HelloVerdict::kWrongProtocol;
  }
  if (!reference_slot_) {
    reference_slot_ = slot;
    reference_hello_ = hello;
    if (past_ && past_->list_hash == hello.list_hash &&
        past_->tests.size() == hello.count) {
      // The list the store remembers: nobody needs to send it.
      tests_ = std::move(past_->tests);
      history_ = std::move(past_->history);
      past_.reset();
      listed_ = true;
      return HelloVerdict::kKnown;
    }
  } else if (hello.count == reference_hello_.count &&
             hello.list_hash == reference_hello_.list_hash) {
    return HelloVerdict::kAgrees;
  }
  // The reference pawn sends its names; a disagreeing one sends its own, so
  // that the error can name the first test that differs.
  return HelloVerdict::kSendList;
}

ListAgreement::ListVerdict ListAgreement::OnList(int slot,
                                                 std::vector<proto::TestInfo> tests) {
  if (reference_slot_ != slot || listed_) {
    mismatched_.emplace_back(slot, std::move(tests));
    return ListVerdict::kDisagrees;
  }
  if (tests.size() != reference_hello_.count ||
      proto::ListHash(tests) != reference_hello_.list_hash) {
    return ListVerdict::kBroken;
  }
  tests_ = std::move(tests);
  if (past_) history_ = Carry(*past_, tests_);
  past_.reset();
  listed_ = true;
  return ListVerdict::kListed;
}

std::optional<ListAgreement::Difference> ListAgreement::Disagreement() const {
  if (!listed_ || mismatched_.empty()) return std::nullopt;
  const auto& [slot, list] = mismatched_.front();
  const std::string reference = "pawn " + std::to_string(*reference_slot_);
  return Difference{slot, "disagrees with " + reference + " on the test list: " +
                              FirstDifference(tests_, list, reference) +
                              " (every pawn must register the same tests in the "
                              "same order)"};
}

std::string ListAgreement::ProtocolError(const proto::Hello& hello) {
  return "speaks protocol " + std::to_string(hello.protocol_version) +
         ", this redqueen speaks " + std::to_string(proto::kProtocolVersion) +
         ": rebuild the test binary against this redqueen";
}

}  // namespace redqueen::rook
