// ProgressBar: a one-line progress bar on stderr, redrawn in place, for the long commands
// (import, reindex, migrate-store); silent when stderr is not a terminal, so logs and pipes get
// no control characters.
// Thread-safety: one owner.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <iostream>
#include <string>

namespace kindred::app {

class ProgressBar {
 public:
  explicit ProgressBar(std::size_t total) : total_(total), enabled_(isatty(STDERR_FILENO) && total > 0) {}
  void Update(std::size_t done) {
    if (!enabled_) return;
    int percent = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_));
    if (percent == last_percent_) return;
    last_percent_ = percent;
    constexpr int kWidth = 30;
    int filled = percent * kWidth / 100;
    std::cerr << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << percent << "%"
              << std::flush;
  }
  void SetTotal(std::size_t total) {
    total_ = total;
    enabled_ = isatty(STDERR_FILENO) && total > 0;
  }
  void Finish() {
    if (enabled_) std::cerr << "\n";
  }

 private:
  std::size_t total_;
  bool enabled_;
  int last_percent_ = -1;
};

}  // namespace kindred::app
