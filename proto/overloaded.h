// Visiting a message variant with one lambda per alternative: a message
// added to the variant does not compile until every visitor handles it.
#pragma once

namespace redqueen::proto {

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

}  // namespace redqueen::proto
