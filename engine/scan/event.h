// What matching hands to evaluation: the leaf matches found in a record.
#pragma once

#include <cstdint>
#include <tuple>

#include "text/evasion.h"

namespace qinglang::detail {

// One leaf match in one field of one record of the batch. Offsets are bytes into the field value.
struct Event {
  std::uint32_t record;
  std::uint32_t leaf;
  std::uint32_t field;
  std::uint32_t start;
  std::uint32_t end;
  Evasion evasion;     // the least the match had to see through
  bool fresh = false;  // streams: decided by this write, not an earlier one

  bool operator<(const Event& o) const {
    return std::tie(record, leaf, field, start, end, evasion) <
           std::tie(o.record, o.leaf, o.field, o.start, o.end, o.evasion);
  }
};

}  // namespace qinglang::detail
