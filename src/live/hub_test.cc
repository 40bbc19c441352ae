// The hub on a real SQLite store: each stream gets its topic's changes once, in feed order, with
// the feed position as id; resuming after an id gives exactly what came later (also while replies
// are being written); too old an id gets a reset; deleted text is never handed to a renderer; a
// stream whose client left is freed; Stop closes every stream.
#include "live/hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace kindred::live {
namespace {

using std::chrono::milliseconds;

constexpr UnixSeconds kT0 = 1'700'000'000;
// How long a test waits for an event it expects: generous for a loaded machine; a pass is fast.
constexpr milliseconds kPatience{5000};

// A sink that keeps what it was sent, split into events: {id, name, data} (id 0 when none).
struct Received {
  std::int64_t id = 0;
  std::string name;
  std::string data;
};

class RecordingSink final : public http::StreamSink {
 public:
  bool Send(std::string bytes) override {
    std::lock_guard lock(mutex_);
    if (closed_ || gone_) return false;
    buffer_ += bytes;
    std::size_t end;
    while ((end = buffer_.find("\n\n")) != std::string::npos) {
      Parse(buffer_.substr(0, end + 1));
      buffer_.erase(0, end + 2);
    }
    changed_.notify_all();
    return true;
  }
  void Close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  // The client goes away: the next Send fails.
  void Leave() {
    std::lock_guard lock(mutex_);
    gone_ = true;
  }
  bool closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  // Waits until `count` events have arrived; returns them all (fewer on timeout).
  std::vector<Received> WaitFor(std::size_t count, milliseconds patience = kPatience) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, patience, [&] { return events_.size() >= count; });
    return events_;
  }
  std::vector<Received> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  void Parse(const std::string& block) {
    Received event;
    bool any = false;
    std::size_t from = 0;
    while (from < block.size()) {
      std::size_t end = block.find('\n', from);
      std::string line = block.substr(from, end - from);
      from = end + 1;
      if (line.rfind("id: ", 0) == 0) event.id = std::stoll(line.substr(4)), any = true;
      if (line.rfind("event: ", 0) == 0) event.name = line.substr(7), any = true;
      if (line.rfind("data: ", 0) == 0) event.data += (event.data.empty() ? "" : "\n") + line.substr(6), any = true;
    }
    if (any) events_.push_back(event);  // comments and the retry field are not events
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::string buffer_;
  std::vector<Received> events_;
  bool closed_ = false;
  bool gone_ = false;
};

// A renderer that sends the post id and the text it was given, named for the change.
std::optional<StreamEvent> Render(const PostChange& change) {
  const char* name = change.kind == PostChange::Kind::kCreated  ? "reply"
                     : change.kind == PostChange::Kind::kEdited ? "edit"
                                                                : "delete";
  return StreamEvent{name, std::to_string(change.post.id.value) + " " + change.post.body_html};
}

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.path() / "kindred.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    auto user = store_->CreateUser({"writer", "", "hash", store::Role::kMember, kT0, false});
    ASSERT_TRUE(user.ok());
    user_ = user->id;
    store::NewCategory category;
    category.name = "Talking";
    auto created = store_->CreateCategory(category);
    ASSERT_TRUE(created.ok());
    category_ = created->id;
    topic_ = Ask();
    other_topic_ = Ask();
  }

  TopicId Ask() {
    auto topic = store_->CreateTopic({category_, user_, "A question", "Words", "<p>Words</p>", kT0, false});
    EXPECT_TRUE(topic.ok());
    return topic.ok() ? topic->first.id : TopicId();
  }

  // Posts a reply and returns {post id, the feed position of its event}.
  std::pair<PostId, std::int64_t> Reply(TopicId topic, const std::string& text = "reply") {
    auto post = store_->CreateReply({topic, user_, std::nullopt, text, "<p>" + text + "</p>", kT0});
    EXPECT_TRUE(post.ok());
    auto seq = store_->LatestEventSeq();
    return {post.ok() ? post->id : PostId(), seq.ok() ? *seq : 0};
  }

  std::shared_ptr<RecordingSink> Open(Hub& hub, TopicId topic, std::int64_t after) {
    auto sink = std::make_shared<RecordingSink>();
    hub.Subscribe(topic, after, sink, &Render);
    return sink;
  }

  testutil::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  UserId user_;
  CategoryId category_;
  TopicId topic_;
  TopicId other_topic_;
};

TEST_F(HubTest, SendsEachNewReplyOnItsTopicWithTheFeedPositionAsId) {
  Hub hub(*store_);
  hub.Start();
  auto sink = Open(hub, topic_, hub.cursor());
  auto [first, first_seq] = Reply(topic_, "first");
  Reply(other_topic_, "elsewhere");
  auto [second, second_seq] = Reply(topic_, "second");

  auto events = sink->WaitFor(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, first_seq);
  EXPECT_EQ(events[0].name, "reply");
  EXPECT_EQ(events[0].data, std::to_string(first.value) + " <p>first</p>");
  EXPECT_EQ(events[1].id, second_seq);
  EXPECT_EQ(events[1].data, std::to_string(second.value) + " <p>second</p>");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(sink->events().size(), 2u) << "nothing from the other topic, nothing twice";
}

TEST_F(HubTest, ResumingAfterAnIdSendsExactlyWhatCameLater) {
  Hub hub(*store_);
  hub.Start();
  auto [one, one_seq] = Reply(topic_, "one");
  auto [two, two_seq] = Reply(topic_, "two");
  Reply(other_topic_, "elsewhere");
  auto [three, three_seq] = Reply(topic_, "three");
  // Let the hub pass all of them first, so the resume is a replay, not live sending.
  for (int i = 0; i < 100 && hub.cursor() < three_seq; ++i) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(hub.cursor(), three_seq);

  auto sink = Open(hub, topic_, one_seq);
  auto [four, four_seq] = Reply(topic_, "four");
  auto events = sink->WaitFor(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].id, two_seq);
  EXPECT_EQ(events[1].id, three_seq);
  EXPECT_EQ(events[2].id, four_seq);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(sink->events().size(), 3u);
}

TEST_F(HubTest, StreamsOpenedWhileRepliesAreWrittenMissAndRepeatNothing) {
  Hub hub(*store_);
  hub.Start();
  constexpr int kReplies = 60;
  std::vector<std::int64_t> seqs;
  std::vector<std::pair<std::int64_t, std::shared_ptr<RecordingSink>>> streams;
  std::thread writer([&] {
    for (int i = 0; i < kReplies; ++i) seqs.push_back(Reply(topic_, "r" + std::to_string(i)).second);
  });
  // Streams start from wherever the hub is at that moment, as a page would.
  for (int i = 0; i < 20; ++i) {
    const std::int64_t after = hub.cursor();
    streams.emplace_back(after, Open(hub, topic_, after));
    std::this_thread::sleep_for(milliseconds(2));
  }
  writer.join();
  for (auto& [after, sink] : streams) {
    std::vector<std::int64_t> expected;
    for (std::int64_t seq : seqs) {
      if (seq > after) expected.push_back(seq);
    }
    auto events = sink->WaitFor(expected.size());
    std::vector<std::int64_t> got;
    for (const auto& event : events) got.push_back(event.id);
    EXPECT_EQ(got, expected) << "stream opened after " << after;
  }
}

TEST_F(HubTest, ResumingFromTooFarBackAsksForAReload) {
  HubOptions options;
  options.max_replay_events = 3;
  Hub hub(*store_, options);
  auto start = store_->LatestEventSeq();
  ASSERT_TRUE(start.ok());
  for (int i = 0; i < 5; ++i) Reply(topic_);
  hub.Start();
  auto sink = Open(hub, topic_, *start);
  auto [late, late_seq] = Reply(topic_, "late");
  auto events = sink->WaitFor(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name, kResetEvent);
  EXPECT_EQ(events[0].id, 0) << "a reset carries no id, so the client keeps its own";
  EXPECT_EQ(events[1].id, late_seq) << "and live replies follow";
}

TEST_F(HubTest, DeletedTextIsNeverRendered) {
  Hub hub(*store_);
  auto [post, seq] = Reply(topic_, "private words");
  const std::int64_t before = seq - 1;
  ASSERT_TRUE(store_->DeletePost(post, kT0 + 1).ok());
  hub.Start();
  // The stream resumes from before the reply: it hears of it, and of its deletion, both as it is now.
  auto sink = Open(hub, topic_, before);
  auto events = sink->WaitFor(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name, "reply");
  EXPECT_EQ(events[1].name, "delete");
  for (const auto& event : events) EXPECT_EQ(event.data.find("private"), std::string::npos) << event.data;
}

TEST_F(HubTest, AStreamWhoseClientLeftIsFreedAndStopClosesTheRest) {
  HubOptions options;
  options.heartbeat_interval = milliseconds(50);
  Hub hub(*store_, options);
  hub.Start();
  auto leaving = Open(hub, topic_, hub.cursor());
  auto staying = Open(hub, other_topic_, hub.cursor());
  EXPECT_EQ(hub.stream_count(), 2u);
  leaving->Leave();
  for (int i = 0; i < 100 && hub.stream_count() > 1; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(hub.stream_count(), 1u) << "the heartbeat finds the stream gone";
  EXPECT_TRUE(leaving->closed());

  hub.Stop();
  EXPECT_TRUE(staying->closed());
  EXPECT_EQ(hub.stream_count(), 0u);
  auto late = Open(hub, topic_, 0);
  EXPECT_TRUE(late->closed()) << "a stream opened after Stop is closed at once";
}

TEST_F(HubTest, AnIdleHubSleepsUntilAWriteWakesIt) {
  // With nothing written, the hub's thread must wait (on the store's waiter or its poll interval)
  // rather than re-read the feed in a loop: a loop shows as a full core of CPU time.
  Hub hub(*store_);
  hub.Start();
  auto sink = Open(hub, topic_, hub.cursor());
  const std::clock_t cpu_before = std::clock();
  std::this_thread::sleep_for(milliseconds(1000));
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_before) / CLOCKS_PER_SEC;
  EXPECT_LT(cpu_seconds, 0.3) << "the process kept a core busy while nothing happened";
  Reply(topic_, "wakes it");
  EXPECT_EQ(sink->WaitFor(1).size(), 1u);
}

TEST(FormatEventTest, SplitsDataIntoLinesAndOmitsAnEmptyId) {
  EXPECT_EQ(FormatEvent(7, {"reply", "a\nb"}), "id: 7\nevent: reply\ndata: a\ndata: b\n\n");
  EXPECT_EQ(FormatEvent(0, {"reset", "{}"}), "event: reset\ndata: {}\n\n");
}

TEST(ResumePointTest, HeaderFirstThenQueryAndOnlyWholeNumbers) {
  http::Request request;
  request.query = "last_event_id=5";
  auto point = ResumePoint(request);
  ASSERT_TRUE(point.ok());
  EXPECT_EQ(point->value_or(-1), 5);
  request.headers.emplace_back("last-event-id", "9");
  point = ResumePoint(request);
  ASSERT_TRUE(point.ok());
  EXPECT_EQ(point->value_or(-1), 9);
  request.headers.back().second = "9; DROP";
  EXPECT_FALSE(ResumePoint(request).ok());
  request.headers.back().second = "-1";
  EXPECT_FALSE(ResumePoint(request).ok());
  request.headers.clear();
  request.query = "";
  point = ResumePoint(request);
  ASSERT_TRUE(point.ok());
  EXPECT_FALSE(point->has_value());
}

}  // namespace
}  // namespace kindred::live
