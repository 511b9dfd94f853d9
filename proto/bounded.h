// Length-checked serialization of strings and vectors.
//
// cereal's own loaders resize a container to whatever size prefix the input
// claims, so one corrupt frame could ask for terabytes. These wrappers refuse
// a length beyond the frame limit and grow vectors only as elements actually
// decode, so memory stays proportional to the bytes received.
#pragma once

#include <cereal/cereal.hpp>
#include <cstdint>
#include <string>
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
    text.resize(static_cast<size_t>(size));
    ar(cereal::binary_data(text.data(), text.size()));
  }
};

template <class T>
struct BoundedVector {
  std::vector<T>& items;

  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(items.size())));
    for (T& item : items) ar(item);
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
      ar(item);
      items.push_back(std::move(item));
    }
  }
};

inline BoundedString Bounded(std::string& text) { return {text}; }
inline BoundedStringView BoundedView(const std::string& text) { return {text}; }
template <class T>
BoundedVector<T> Bounded(std::vector<T>& items) {
  return {items};
}

}  // namespace redqueen::proto
