// Strong id types: a TopicId cannot be passed where a PostId is meant.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <functional>

namespace kindred {

template <typename Tag>
struct Id {
  std::int64_t value = 0;

  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : value(v) {}
  constexpr bool valid() const { return value > 0; }
  friend constexpr auto operator<=>(Id, Id) = default;
};

using UserId = Id<struct UserTag>;
using CategoryId = Id<struct CategoryTag>;
using TopicId = Id<struct TopicTag>;
using PostId = Id<struct PostTag>;

}  // namespace kindred

template <typename Tag>
struct std::hash<kindred::Id<Tag>> {
  std::size_t operator()(kindred::Id<Tag> id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
