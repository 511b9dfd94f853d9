// Checked serialization of what a frame carries: lengths, bools and enums.
//
// cereal's own loaders resize a container to whatever size prefix the input
// claims, so one corrupt frame could ask for terabytes. These wrappers refuse
// a length beyond the frame limit and grow strings and vectors only as bytes
// and elements actually decode, so memory stays proportional to the bytes
// received.
//
// cereal also loads a bool's byte and an enum's integer as they come: a bool
// byte of 2 is undefined behaviour, an enum value past the last enumerator
// one that no switch handles. Checked() makes both decode errors.
#pragma once

#include <algorithm>
#include <cereal/cereal.hpp>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace redqueen::proto {

/// Same limit as the frame's: no field can be longer than its frame.
inline constexpr uint64_t kMaxFieldLength = 64u << 20;

/// For saving only, from a const string.
struct BoundedStringView {
  const std::string& text;

  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(text.size())));
    ar(cereal::binary_data(text.data(), text.size()));
  }
};

struct BoundedString {
  std::string& text;

  template <class Archive>
  void save(Archive& ar) const {
    BoundedStringView{text}.save(ar);
  }

  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    if (size > kMaxFieldLength) throw cereal::Exception("string longer than a frame");
    // In pieces, so that a short frame claiming a long string fails before
    // it has made the string long.
    constexpr size_t kPiece = 64 << 10;
    text.clear();
    for (size_t left = static_cast<size_t>(size); left > 0;) {
      const size_t piece = std::min(left, kPiece);
      const size_t at = text.size();
      text.resize(at + piece);
      ar(cereal::binary_data(text.data() + at, piece));
      left -= piece;
    }
  }
};

template <class T>
struct BoundedVector {
  std::vector<T>& items;

  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(items.size())));
    for (T& item : items) Item(ar, item);
  }

  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    if (size > kMaxFieldLength) throw cereal::Exception("vector longer than a frame");
    items.clear();
    items.reserve(static_cast<size_t>(std::min<cereal::size_type>(size, 1024)));
    for (cereal::size_type i = 0; i < size; ++i) {
      T item{};
      Item(ar, item);
      items.push_back(std::move(item));
    }
  }

 private:
  /// A string item is bounded too (same bytes as cereal's own string).
  template <class Archive>
  static void Item(Archive& ar, T& item) {
    if constexpr (std::is_same_v<T, std::string>) {
      ar(BoundedString{item});
    } else {
      ar(item);
    }
  }
};

/// Saved as one byte, 0 or 1; any other byte does not load.
struct CheckedBool {
  bool& value;

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<uint8_t>(value ? 1 : 0));
  }

  template <class Archive>
  void load(Archive& ar) {
    uint8_t byte = 0;
    ar(byte);
    if (byte > 1) {
      throw cereal::Exception("bool byte " + std::to_string(byte) +
                              " is neither 0 nor 1");
    }
    value = byte == 1;
  }
};

/// An enum whose values are 0 to `last`, saved as its underlying integer;
/// any other integer does not load.
template <class Enum>
struct CheckedEnum {
  static_assert(std::is_enum_v<Enum>);
  using Integer = std::underlying_type_t<Enum>;
  using Unsigned = std::make_unsigned_t<Integer>;

  Enum& value;
  Enum last;

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<Integer>(value));
  }

  template <class Archive>
  void load(Archive& ar) {
    Integer raw = 0;
    ar(raw);
    // Unsigned, so that a negative value is out of range too.
    if (static_cast<Unsigned>(raw) > static_cast<Unsigned>(last)) {
      throw cereal::Exception("enum value " + std::to_string(raw) +
                              " is past the last one");
    }
    value = static_cast<Enum>(raw);
  }
};

inline CheckedBool Checked(bool& value) { return {value}; }
template <class Enum>
CheckedEnum<Enum> Checked(Enum& value, Enum last) {
  return {value, last};
}

inline BoundedString Bounded(std::string& text) { return {text}; }
inline BoundedStringView BoundedView(const std::string& text) { return {text}; }
template <class T>
BoundedVector<T> Bounded(std::vector<T>& items) {
  return {items};
}

}  // namespace redqueen::proto
