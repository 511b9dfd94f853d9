// A benchmark's counters and quality figures as the store keeps them: one
// flat JSON object of numbers per sample, {"name": 1.5, ...}. JSON so that
// people reading the store with sqlite3 (or its json_extract) see them; a
// writer and parser of this one shape so that the store depends on no JSON
// library.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace redqueen::bishop {

/// The JSON object of `values`, each written so that it reads back to the
/// same double. JSON has no infinities nor NaN: infinities are written as
/// ±1e999, which parsers (SQLite's json functions among them) read as
/// infinite, and NaN as null, which DecodeNumberMap reads as NaN.
std::string EncodeNumberMap(const std::map<std::string, double>& values);

/// Reads what EncodeNumberMap wrote (any flat object of numbers and nulls);
/// false on anything else, `*values` then unspecified.
bool DecodeNumberMap(std::string_view json, std::map<std::string, double>* values);

}  // namespace redqueen::bishop
