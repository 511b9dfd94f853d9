#include "queen/known_listing.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string_view>

#include "proto/known_list.h"

extern char** environ;

namespace redqueen::queen {
namespace {

/// Length-prefixed fields in one string, for one hash: no two lists of
/// fields make the same string.
class Digest {
 public:
  void Add(std::string_view field) {
    const uint64_t size = field.size();
    text_.append(reinterpret_cast<const char*>(&size), sizeof size);
    text_.append(field);
  }
  void Add(const proto::BinaryIdentity& binary) {
    for (uint64_t number : {binary.device, binary.inode, binary.size,
                            static_cast<uint64_t>(binary.mtime_ns)}) {
      Add(std::to_string(number));
    }
    Add(binary.content);
  }
  uint64_t Hash() const { return std::hash<std::string>{}(text_); }

 private:
  std::string text_;
};

/// The variables of redqueen's environment that its pawns get and that can
/// change what a gtest binary registers, sorted: GoogleTest's own, and the
/// dynamic loader's (another library path or preload is another program).
std::vector<std::string> ListingVariables(const knight::PawnSpec& spec) {
  std::vector<std::string> variables;
  for (char** entry = environ; *entry; ++entry) {
    const std::string_view text(*entry);
    const std::string_view key = text.substr(0, text.find('='));
    if (!key.starts_with("GTEST_") && !key.starts_with("LD_")) continue;
    const bool hidden = std::find(spec.unset_env.begin(), spec.unset_env.end(), key) !=
                            spec.unset_env.end() ||
                        std::any_of(spec.env.begin(), spec.env.end(),
                                    [key](const auto& kv) { return kv.first == key; });
    if (!hidden) variables.emplace_back(text);
  }
  std::sort(variables.begin(), variables.end());
  return variables;
}

/// The digest of what else than the binary's file its pawns' listing
/// depends on; nullopt when redqueen cannot tell which redqueen it is.
std::optional<uint64_t> ListingContext(const knight::PawnSpec& spec) {
  // Another redqueen may read a listing otherwise (how it maps gtest's
  // JSON back to bytes): it lists once for itself.
  const std::optional<proto::BinaryIdentity> self =
      proto::IdentifyBinary("/proc/self/exe");
  if (!self) return std::nullopt;
  Digest digest;
  digest.Add(*self);
  std::error_code ec;
  digest.Add(std::filesystem::current_path(ec).string());
  digest.Add("args");
  for (const std::string& arg : spec.args) digest.Add(arg);
  digest.Add("env");
  for (const auto& [key, value] : spec.env) {
    digest.Add(key);
    digest.Add(value);
  }
  digest.Add("inherited");
  for (const std::string& variable : ListingVariables(spec)) digest.Add(variable);
  return digest.Hash();
}

}  // namespace

KnownListing PrepareKnownListing(knight::PawnSpec* spec, const std::string& path) {
  KnownListing listing;
  listing.path = path;
  // SpecFor's exec pawn: `redqueen exec-pawn BINARY -- ARGS...`.
  if (spec->args.size() < 3 || spec->args[0] != "exec-pawn" || spec->args[2] != "--") {
    return listing;
  }
  listing.binary = spec->args[1];
  listing.args.assign(spec->args.begin() + 3, spec->args.end());
  const std::optional<uint64_t> context = ListingContext(*spec);
  const std::optional<proto::BinaryIdentity> binary =
      proto::IdentifyBinary(listing.binary);
  if (context && binary) listing.identity = proto::ListingIdentity{*binary, *context};
  // After the digest: the file's name changes from run to run.
  spec->env.emplace_back(proto::kEnvKnownList, path);
  return listing;
}

bool HandOverList(const KnownListing& listing, const bishop::SuiteRecord& suite) {
  if (!listing.identity || !suite.listed_by || *suite.listed_by != *listing.identity ||
      suite.past.tests.empty()) {
    return false;
  }
  proto::KnownList known;
  known.binary = listing.binary;
  known.args = listing.args;
  known.identity = listing.identity->binary;
  known.list.tests = suite.past.tests;
  return proto::WriteKnownList(listing.path, known);
}

std::optional<proto::ListingIdentity> ListedByAtEnd(
    const KnownListing& listing, const std::string& path, uint64_t list_hash,
    uint64_t remembered_hash, const std::optional<proto::ListingIdentity>& remembered) {
  std::optional<proto::ListingIdentity> began = listing.identity;
  std::string file = listing.binary;
  if (!began && list_hash == remembered_hash) {
    began = remembered;
    file = path;
  }
  if (!began) return std::nullopt;
  const std::optional<proto::BinaryIdentity> now = proto::IdentifyBinary(file);
  if (!now || *now != began->binary) return std::nullopt;
  return began;
}

}  // namespace redqueen::queen
