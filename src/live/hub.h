// Hub: live updates for open topic pages. It follows the store's change feed on a thread of its
// own and sends each change to a post to every Server-Sent Events stream open on that post's
// topic, as an event whose id is the change's sequence number in the feed. A stream that drops
// and comes back with that id (Last-Event-ID) resumes exactly after it: nothing lost, nothing
// sent twice, on any node, since every node reads the same feed.
//
// How it hears of new events: the store's EventWaiter wakes it (an in-process signal on SQLite,
// LISTEN/NOTIFY on PostgreSQL), and it reads the feed every poll interval anyway, so the feed
// stays the one source of truth and a wake-up lost costs at most that interval.
//
// Streams hold no thread: each is a sink (http::StreamSink) that the hub writes to. Everything
// a stream sees (resuming, new changes, heartbeats) is sent from the hub's thread, in feed order,
// which is what makes "exactly once" easy to see: one thread, one cursor, one last id per stream.
//
// What is sent is decided per stream by its Renderer (web/ and api/ give one for their viewer),
// from the post as it is when the change is sent: a post deleted meanwhile goes out deleted, so
// deleted text is never sent.
//
// Thread-safety: OpenStream, Subscribe, cursor and stream_count may be called from any thread;
// Start and Stop from the owner.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/result.h"
#include "http/message.h"
#include "store/store.h"

namespace kindred::live {

// A change to a post as a topic's streams hear of it. A post hidden by moderation (or held) is
// kHidden, and shown again is kCreated: each renderer decides from the post itself whether its
// reader may see the text (a hidden post's kCreated must reach only its writer and moderators).
struct PostChange {
  enum class Kind { kCreated, kEdited, kDeleted, kHidden };
  std::int64_t seq = 0;
  Kind kind = Kind::kCreated;
  store::PostRow post;  // as it is now
};

// The SSE event type a change is sent as: "reply", "edit", "delete" or "hide".
std::string_view EventName(PostChange::Kind kind);

// One event for one stream. `name` is the SSE event type ("reply", "edit", "delete").
struct StreamEvent {
  std::string name;
  std::string data;
};

// Renders a change for one stream's viewer; nullopt sends nothing (the stream still moves past it).
using Renderer = std::function<std::optional<StreamEvent>(const PostChange&)>;

// Streams whose renderers would give the same event for every change (every visitor of a page,
// every API client) name the same non-empty key, and each change is rendered once for all of
// them: a thousand readers of one topic cost one rendering per reply, not a thousand.
using ShareKey = std::string;

// The event a stream gets, without an id, when it asks to resume from further back than the hub
// replays: the page should reload (or an API client fetch the topic again) instead.
inline constexpr std::string_view kResetEvent = "reset";

struct HubOptions {
  // The slowest a change reaches a stream when no wake-up came (another process wrote to the
  // SQLite file, or the PostgreSQL listener was reconnecting). A read of the feed is one indexed
  // query; once a second is nothing next to the page views that cause it.
  std::chrono::milliseconds poll_interval{1000};
  // A comment line on every stream this often. It must stay well under the server's 30 s
  // request-handling limit (kHandleTimeout in http/server.cc), which closes a response that has
  // written nothing for that long, and under proxies' read timeouts (nginx: 60 s). It is also how
  // a stream whose client left quietly is noticed and freed.
  std::chrono::milliseconds heartbeat_interval{20000};
  // Open streams at most. 1,000 idle streams measured about 9 KiB each in this process
  // (bench/sse-idle), so the cap bounds live updates to ~90 MiB; past it a page still works,
  // only without live replies.
  std::size_t max_streams = 10000;
  // How far back a stream may resume, in feed positions. A reader back from a long sleep would
  // otherwise make the hub read a day of the whole forum's events for one topic; past this the
  // stream gets a reset event. 5,000 events is hours of a busy forum, and one query batch per 500.
  std::int64_t max_replay_events = 5000;
};

class Hub {
 public:
  explicit Hub(store::Store& store, HubOptions options = {});
  ~Hub();  // stops
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Reads where the feed is now and starts following it.
  void Start();
  // Closes every stream and stops the thread; streams opened later are closed at once.
  void Stop();

  // A position in the feed whose changes are all in the store: a page rendered after reading it
  // shows everything up to it, so its stream may start from there without missing a reply.
  std::int64_t cursor() const { return cursor_.load(); }
  std::size_t stream_count() const { return streams_open_.load(); }

  // The response for a stream on `topic` (the caller has checked the viewer may see it). It
  // resumes after the Last-Event-ID header, else ?last_event_id=, else starts at cursor().
  // kInvalidInput ("last_event_id") for an id that is not a whole number; kUnavailable when the
  // hub is full or stopped.
  Result<http::Response> OpenStream(TopicId topic, const http::Request& request, Renderer render,
                                    ShareKey share_key = {});

  // Sends `sink` every change to `topic` after feed position `after_seq`, from the hub's thread.
  void Subscribe(TopicId topic, std::int64_t after_seq, std::shared_ptr<http::StreamSink> sink, Renderer render,
                 ShareKey share_key = {});

 private:
  struct Stream {
    TopicId topic;
    std::int64_t last_seq = 0;  // the last feed position this stream has been brought past
    std::shared_ptr<http::StreamSink> sink;
    Renderer render;
    ShareKey share_key;
  };
  // Events already rendered for the change being sent, by share key ("" is never shared).
  using RenderedByKey = std::unordered_map<ShareKey, std::optional<std::string>>;

  void Run();
  // One pass: streams waiting to start, then new events. True when a full batch was read, so more
  // may be waiting; false when caught up or when the store could not be read (then Run sleeps).
  bool Step();
  void Activate(Stream stream);
  // Sends the change to the stream if it has not seen it; false when the stream has ended.
  bool Deliver(Stream& stream, const PostChange& change, RenderedByKey& rendered);
  // The change an event stands for, when it is about a post that can be found.
  std::optional<PostChange> ChangeFor(const store::EventRow& event);
  void Heartbeat();
  void Drop(Stream& stream);

  store::Store& store_;
  const HubOptions options_;
  std::unique_ptr<store::EventWaiter> waiter_;

  std::mutex mutex_;
  std::vector<Stream> pending_;  // GUARDED_BY(mutex_): subscribed, not yet started by the thread
  bool stopping_ = false;        // GUARDED_BY(mutex_)

  std::atomic<std::int64_t> cursor_{0};
  std::atomic<std::size_t> streams_open_{0};
  bool have_cursor_ = false;  // only the hub thread, after Start

  // Only the hub thread touches these.
  std::unordered_map<std::int64_t, std::vector<Stream>> streams_;  // by topic id
  std::chrono::steady_clock::time_point next_heartbeat_;
  std::thread thread_;
};

// One event in the text/event-stream format: "id: 7\nevent: reply\ndata: ...\n\n", each line of
// `event.data` a data field of its own (a line break inside data would otherwise end the field).
// id <= 0 writes no id field.
std::string FormatEvent(std::int64_t id, const StreamEvent& event);

// The feed position a stream resumes after: the Last-Event-ID header, else ?last_event_id=, else
// nullopt. kInvalidInput when the value given is not a whole number.
Result<std::optional<std::int64_t>> ResumePoint(const http::Request& request);

}  // namespace kindred::live
