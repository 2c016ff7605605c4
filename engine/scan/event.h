// What matching hands to evaluation: the leaf matches found in a record.
#pragma once

#include <cstdint>
#include <tuple>

#include "text/normalizer.h"

namespace qinglang::detail {

// One leaf match in one field of one record of the batch. Offsets are bytes into the field value.
struct Event {
  std::uint32_t record;
  std::uint32_t leaf;
  std::uint32_t field;
  std::uint32_t start;
  std::uint32_t end;
  View view;           // the least normalized view that explains the match
  bool fresh = false;  // streams: decided by this write, not an earlier one

  bool operator<(const Event& o) const {
    return std::tie(record, leaf, field, start, end, view) <
           std::tie(o.record, o.leaf, o.field, o.start, o.end, o.view);
  }
};

}  // namespace qinglang::detail
