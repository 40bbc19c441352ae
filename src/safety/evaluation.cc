#include "safety/evaluation.h"

#include <chrono>
#include <cstdio>
#include <istream>
#include <ostream>

namespace kindred::safety {
namespace {

constexpr std::array<Level, 3> kLevels = {Level::kNone, Level::kConcern, Level::kCrisis};

int Index(Level level) { return static_cast<int>(level); }

bool ParseLevel(std::string_view name, Level* level) {
  for (Level l : kLevels) {
    if (LevelName(l) == name) {
      *level = l;
      return true;
    }
  }
  return false;
}

std::string Fixed(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

double Share(int part, int whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / whole; }

}  // namespace

double EvalReport::Precision(Level level) const {
  int got = 0;
  for (Level e : kLevels) got += confusion[Index(e)][Index(level)];
  return Share(confusion[Index(level)][Index(level)], got);
}

double EvalReport::Recall(Level level) const {
  int labelled = 0;
  for (Level g : kLevels) labelled += confusion[Index(level)][Index(g)];
  return Share(confusion[Index(level)][Index(level)], labelled);
}

double EvalReport::CrisisOrConcernRecall() const {
  int flagged = 0, labelled = 0;
  for (Level e : {Level::kConcern, Level::kCrisis}) {
    for (Level g : kLevels) {
      labelled += confusion[Index(e)][Index(g)];
      if (g != Level::kNone) flagged += confusion[Index(e)][Index(g)];
    }
  }
  return Share(flagged, labelled);
}

double EvalReport::NoneFlagged() const {
  const auto& row = confusion[Index(Level::kNone)];
  return Share(row[1] + row[2], row[0] + row[1] + row[2]);
}

EvalReport Evaluate(const Detector& detector, std::istream& tsv) {
  EvalReport report;
  std::string line;
  int line_number = 0;
  std::chrono::nanoseconds spent{0};
  while (std::getline(tsv, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::size_t tab = line.find('\t');
    if (line_number == 1 && line.substr(0, tab) == "label") continue;  // the header
    Level expected;
    if (tab == std::string::npos || !ParseLevel(std::string_view(line).substr(0, tab), &expected)) {
      report.errors.push_back("line " + std::to_string(line_number) +
                              ": expected crisis|concern|none, a tab, the text");
      continue;
    }
    std::string_view text = std::string_view(line).substr(tab + 1);
    auto start = std::chrono::steady_clock::now();
    Level got = detector.Assess(text).level;
    spent += std::chrono::steady_clock::now() - start;
    ++report.confusion[Index(expected)][Index(got)];
    ++report.total;
    if (got != expected) report.misreads.push_back({expected, got, std::string(text)});
  }
  if (report.total > 0) report.nanoseconds_per_post = static_cast<double>(spent.count()) / report.total;
  return report;
}

void PrintReport(const EvalReport& report, std::ostream& out) {
  out << "posts: " << report.total << "\n\n";
  out << "confusion (rows: label, columns: detector)\n";
  out << "            none  concern   crisis\n";
  for (Level e : kLevels) {
    char row[96];
    const auto& r = report.confusion[Index(e)];
    std::snprintf(row, sizeof row, "%-8s %7d %8d %8d\n", std::string(LevelName(e)).c_str(), r[0], r[1], r[2]);
    out << row;
  }
  out << "\nlevel     precision  recall\n";
  for (Level l : kLevels) {
    char row[96];
    std::snprintf(row, sizeof row, "%-8s  %9s  %6s\n", std::string(LevelName(l)).c_str(),
                  Fixed(report.Precision(l)).c_str(), Fixed(report.Recall(l)).c_str());
    out << row;
  }
  out << "\ncrisis recall:            " << Fixed(report.CrisisRecall()) << "\n";
  out << "crisis-or-concern recall: " << Fixed(report.CrisisOrConcernRecall()) << "\n";
  out << "none flagged (any level): " << Fixed(report.NoneFlagged()) << "\n";
  out << "time per post:            " << static_cast<long long>(report.nanoseconds_per_post) << " ns\n";
  if (!report.misreads.empty()) {
    out << "\nmisread (label -> detector):\n";
    for (const Misread& m : report.misreads) {
      out << "  " << LevelName(m.expected) << " -> " << LevelName(m.got) << ": " << m.text << "\n";
    }
  }
  for (const std::string& e : report.errors) out << "error: " << e << "\n";
}

}  // namespace kindred::safety
