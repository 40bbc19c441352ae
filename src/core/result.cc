#include "core/result.h"

namespace kindred {

Error Error::RateLimited(int retry_after_seconds) {
  if (retry_after_seconds < 1) retry_after_seconds = 1;
  std::string unit = retry_after_seconds == 1 ? " second" : " seconds";
  return {ErrorCode::kRateLimited,
          "rate_limited",
          "You are going a little fast. Please wait " + std::to_string(retry_after_seconds) + unit + " and try again.",
          {},
          retry_after_seconds};
}

}  // namespace kindred
