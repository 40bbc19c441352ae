#include "live/hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace kindred::live {
namespace {

// Events read from the feed per query: a burst of writes is sent in a few reads, and one read
// stays small (a row is four numbers and a short kind).
constexpr int kReadBatch = 500;

// The reconnection delay a browser should use after a drop (the SSE "retry" field), in ms.
// EventSource's default is about 3 s; 2 s brings a reader back sooner without a storm of
// reconnections when a node restarts under many open pages.
constexpr int kRetryMilliseconds = 2000;

// A stream's first bytes: the retry delay, then a comment, so that a client (and any proxy
// between) sees the response start at once rather than at the first reply.
constexpr std::string_view kStreamPrologue = "retry: 2000\n: live replies for this topic\n\n";
static_assert(kRetryMilliseconds == 2000, "kStreamPrologue spells the retry delay");

constexpr std::string_view kHeartbeat = ": still here\n\n";

// Sequence numbers are at most 2^63; 19 digits is every one of them and nothing longer.
constexpr std::size_t kMaxIdDigits = 19;

Error StreamUnavailable() {
  return Error{ErrorCode::kUnavailable,
               "live_updates_unavailable",
               "Live updates are resting for a moment. The page still works: reload it to see new replies.",
               {},
               0};
}

}  // namespace

std::string_view EventName(PostChange::Kind kind) {
  switch (kind) {
    case PostChange::Kind::kCreated:
      return "reply";
    case PostChange::Kind::kEdited:
      return "edit";
    case PostChange::Kind::kDeleted:
      return "delete";
    case PostChange::Kind::kHidden:
      return "hide";
  }
  return "reply";
}

std::string FormatEvent(std::int64_t id, const StreamEvent& event) {
  std::string out;
  out.reserve(event.data.size() + event.name.size() + 40);
  if (id > 0) out.append("id: ").append(std::to_string(id)).append("\n");
  if (!event.name.empty()) out.append("event: ").append(event.name).append("\n");
  std::size_t from = 0;
  do {
    std::size_t end = event.data.find('\n', from);
    if (end == std::string::npos) end = event.data.size();
    std::string_view line(event.data.data() + from, end - from);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.append("data: ").append(line).append("\n");
    from = end + 1;
  } while (from <= event.data.size());
  out.append("\n");
  return out;
}

Result<std::optional<std::int64_t>> ResumePoint(const http::Request& request) {
  std::string given(request.Header("last-event-id"));
  if (given.empty()) {
    auto query = http::Params::Parse(request.query);
    if (!query) return std::move(query).error();
    given = query->Get("last_event_id");
  }
  if (given.empty()) return std::optional<std::int64_t>();
  std::int64_t seq = 0;
  auto [end, error] = std::from_chars(given.data(), given.data() + given.size(), seq);
  if (error != std::errc() || end != given.data() + given.size() || seq < 0 || given.size() > kMaxIdDigits) {
    return Error::Invalid("last_event_id", "invalid_last_event_id",
                          "The last event id should be a whole number, as the stream sent it.");
  }
  return std::optional<std::int64_t>(seq);
}

Hub::Hub(store::Store& store, HubOptions options) : store_(store), options_(options) {}

Hub::~Hub() { Stop(); }

void Hub::Start() {
  waiter_ = store_.OpenEventWaiter();
  // Read here too, not only on the thread, so pages rendered right after start carry a real
  // position. If the store cannot say yet, the thread keeps asking.
  if (auto latest = store_.LatestEventSeq(); latest.ok()) {
    cursor_ = *latest;
    have_cursor_ = true;
  }
  next_heartbeat_ = std::chrono::steady_clock::now() + options_.heartbeat_interval;
  thread_ = std::thread([this] { Run(); });
}

void Hub::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (waiter_) waiter_->Wake();
  if (thread_.joinable()) thread_.join();
  // The thread has ended: what it owned is ours now.
  std::vector<Stream> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(pending_);
  }
  for (auto& stream : pending) Drop(stream);
  for (auto& [topic, streams] : streams_) {
    for (auto& stream : streams) Drop(stream);
  }
  streams_.clear();
}

Result<http::Response> Hub::OpenStream(TopicId topic, const http::Request& request, Renderer render,
                                       ShareKey share_key) {
  auto resume = ResumePoint(request);
  if (!resume) return std::move(resume).error();
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !waiter_) return StreamUnavailable();
  }
  if (streams_open_.load() >= options_.max_streams) return StreamUnavailable();
  // Without an id the stream starts now: the caller saw the topic as it is at least up to here.
  const std::int64_t after = resume->value_or(cursor());
  return http::Response::EventStream([this, topic, after, render = std::move(render), share_key = std::move(share_key)](
                                         std::shared_ptr<http::StreamSink> sink) mutable {
    Subscribe(topic, after, std::move(sink), std::move(render), std::move(share_key));
  });
}

void Hub::Subscribe(TopicId topic, std::int64_t after_seq, std::shared_ptr<http::StreamSink> sink, Renderer render,
                    ShareKey share_key) {
  // Sent from the subscriber's thread: nothing else can be writing to a stream not yet handed over.
  if (!sink->Send(std::string(kStreamPrologue))) return;
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      pending_.push_back(Stream{topic, after_seq, sink, std::move(render), std::move(share_key)});
      ++streams_open_;
      accepted = true;
    }
  }
  if (!accepted) return sink->Close();  // stopping: nobody would ever write to it
  if (waiter_) waiter_->Wake();
}

void Hub::Run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const bool more_waiting = Step();
    if (std::chrono::steady_clock::now() >= next_heartbeat_) Heartbeat();
    // A full batch means more is waiting: read on before sleeping. Otherwise (caught up, or the
    // store could not be read) sleep until a write wakes us or the poll interval passes.
    if (!more_waiting) waiter_->Wait(options_.poll_interval);
  }
}

bool Hub::Step() {
  if (!have_cursor_) {
    auto latest = store_.LatestEventSeq();
    if (!latest) {
      spdlog::warn("live updates wait for the database: {}", latest.error().message);
      return false;  // nothing more to do until the database answers
    }
    cursor_ = *latest;
    have_cursor_ = true;
  }

  std::vector<Stream> starting;
  {
    std::lock_guard lock(mutex_);
    starting.swap(pending_);
  }
  for (auto& stream : starting) Activate(std::move(stream));

  auto events = store_.ReadEvents(cursor_.load(), kReadBatch);
  if (!events) {
    spdlog::warn("live updates could not read the change feed, will retry: {}", events.error().message);
    return false;
  }
  for (const auto& event : *events) {
    if (!streams_.empty()) {
      if (auto change = ChangeFor(event)) {
        auto found = streams_.find(change->post.topic_id.value);
        if (found != streams_.end()) {
          auto& streams = found->second;
          RenderedByKey rendered;
          for (auto& stream : streams) {
            if (!Deliver(stream, *change, rendered)) Drop(stream);
          }
          std::erase_if(streams, [](const Stream& stream) { return !stream.sink; });
          if (streams.empty()) streams_.erase(found);
        }
      }
    }
    cursor_ = event.seq;
  }
  return static_cast<int>(events->size()) == kReadBatch;
}

void Hub::Activate(Stream stream) {
  const std::int64_t cursor = cursor_.load();
  if (stream.last_seq > cursor) {
    // A position this node has not reached: another node's, if the feed really has it (then the
    // changes up to it are skipped as already sent), else a made-up one, taken as "now".
    auto latest = store_.LatestEventSeq();
    if (latest.ok() && stream.last_seq > *latest) stream.last_seq = cursor;
  } else if (cursor - stream.last_seq > options_.max_replay_events) {
    if (!stream.sink->Send(FormatEvent(0, {std::string(kResetEvent), "{}"}))) return Drop(stream);
    stream.last_seq = cursor;
  } else {
    // Replay what the stream missed, up to where the hub is; what comes after it is sent live.
    std::int64_t from = stream.last_seq;
    while (from < cursor) {
      auto events = store_.ReadEvents(from, kReadBatch);
      if (!events) {
        spdlog::warn("live updates could not replay the change feed: {}", events.error().message);
        return Drop(stream);  // the browser reconnects with its last id and tries again
      }
      if (events->empty()) break;
      for (const auto& event : *events) {
        if (event.seq > cursor) break;
        auto change = ChangeFor(event);
        RenderedByKey rendered;
        if (change && change->post.topic_id == stream.topic && !Deliver(stream, *change, rendered)) {
          return Drop(stream);
        }
        from = event.seq;
      }
      if (static_cast<int>(events->size()) < kReadBatch) break;
    }
    stream.last_seq = std::max(stream.last_seq, cursor);
  }
  streams_[stream.topic.value].push_back(std::move(stream));
}

bool Hub::Deliver(Stream& stream, const PostChange& change, RenderedByKey& rendered) {
  if (change.seq <= stream.last_seq) return true;  // sent before this stream resumed
  stream.last_seq = change.seq;
  auto render = [&]() -> std::optional<std::string> {
    try {
      if (auto event = stream.render(change)) return FormatEvent(change.seq, *event);
    } catch (const std::exception& e) {
      // A renderer is ours and returns values; this only guards the hub's thread.
      spdlog::error("live update for post {} could not be rendered: {}", change.post.id.value, e.what());
    }
    return std::nullopt;
  };
  std::optional<std::string> bytes;
  if (stream.share_key.empty()) {
    bytes = render();
  } else {
    auto [it, first] = rendered.try_emplace(stream.share_key);
    if (first) it->second = render();
    bytes = it->second;
  }
  if (!bytes) return true;
  return stream.sink->Send(std::move(*bytes));
}

std::optional<PostChange> Hub::ChangeFor(const store::EventRow& event) {
  PostChange change;
  if (event.kind == store::events::kPostCreated || event.kind == store::events::kPostMoved ||
      event.kind == store::events::kPostShown) {
    // A reply moved here from another topic arrives like a new one, and so does one a moderator
    // let through (readers never had it).
    change.kind = PostChange::Kind::kCreated;
  } else if (event.kind == store::events::kPostHidden) {
    change.kind = PostChange::Kind::kHidden;
  } else if (event.kind == store::events::kPostEdited) {
    change.kind = PostChange::Kind::kEdited;
  } else if (event.kind == store::events::kPostDeleted) {
    change.kind = PostChange::Kind::kDeleted;
  } else {
    return std::nullopt;
  }
  auto post = store_.FindPost(PostId(event.subject_id));
  if (!post) return std::nullopt;  // gone with demo content; nothing to show
  change.seq = event.seq;
  change.post = std::move(post).value();
  return change;
}

void Hub::Heartbeat() {
  next_heartbeat_ = std::chrono::steady_clock::now() + options_.heartbeat_interval;
  for (auto it = streams_.begin(); it != streams_.end();) {
    auto& streams = it->second;
    for (auto& stream : streams) {
      if (!stream.sink->Send(std::string(kHeartbeat))) Drop(stream);
    }
    std::erase_if(streams, [](const Stream& stream) { return !stream.sink; });
    it = streams.empty() ? streams_.erase(it) : std::next(it);
  }
}

void Hub::Drop(Stream& stream) {
  if (!stream.sink) return;
  stream.sink->Close();
  stream.sink.reset();
  --streams_open_;
}

}  // namespace kindred::live
