// Safety in the domain: posts that may speak of risk reach a human and offer the writer help,
// "waiting for a reply", worry reports and their limits, and the review queue's actions.
#include <gtest/gtest.h>

#include "forum/forum_test_fixture.h"

namespace kindred::forum {
namespace {

constexpr const char* kCrisisText =
    "I can't do this anymore. I want to kill myself tonight and I have the pills ready.";
constexpr const char* kIdiomText = "This week is killing me, three deadlines and the kids are off sick.";

class CareTest : public ForumTest {
 protected:
  void SetUp() override {
    ForumTest::SetUp();
    writer_ = Member("writer");
    peer_ = Member("peer");
  }

  store::PostRow Post(const Viewer& viewer, const std::string& body) {
    auto asked = forum_->Ask(viewer, {category_, "A question about how I feel", body});
    EXPECT_TRUE(asked.ok()) << (asked.ok() ? "" : asked.error().message);
    return asked->second;
  }

  Viewer writer_;
  Viewer peer_;
};

TEST_F(CareTest, AModeratorsOwnCrisisPostGoesToAnotherModerator) {
  ASSERT_TRUE(forum_->CreateAdmin("second", "second admin password").ok());
  Viewer second = SignIn("second", "second admin password");
  store::PostRow post = Post(admin_, kCrisisText);
  auto writers = forum_->Notices(admin_, 1);
  ASSERT_TRUE(writers.ok());
  for (const auto& notice : *writers) {
    EXPECT_NE(notice.kind, "safety_alert") << "the writer is not their own responder";
  }
  auto others = forum_->Notices(second, 1);
  ASSERT_TRUE(others.ok());
  bool told = false;
  for (const auto& notice : *others) told |= notice.kind == "safety_alert";
  EXPECT_TRUE(told);
  auto theirs = forum_->ReviewQueue(second, true, 1);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ(theirs->front().post, post.id);
  EXPECT_TRUE(forum_->ReviewQueue(admin_, true, 1)->empty());
  auto own = forum_->ActOnReview(admin_, theirs->front().id, {ReviewAction::kDismiss, theirs->front().version, ""});
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().code, ErrorCode::kForbidden);
}

TEST_F(CareTest, NoRateLimitHoldsBackAPostThatMaySpeakOfRisk) {
  RateLimits strict = limits_;
  strict.post_per_account = {1, 1.0 / 3600};
  auto forum = ForumWith(strict);
  ASSERT_TRUE(forum->Ask(writer_, {category_, "Sleep again", "Awake at four every night."}).ok());
  auto ordinary = forum->Ask(writer_, {category_, "And another thing", "Work is busy."});
  ASSERT_FALSE(ordinary.ok());
  EXPECT_EQ(ordinary.error().code, ErrorCode::kRateLimited);
  auto reaching_out = forum->Ask(writer_, {category_, "I need help", kCrisisText});
  ASSERT_TRUE(reaching_out.ok()) << reaching_out.error().message;
  auto offer = forum->SupportFor(writer_, reaching_out->second.id, "GB");
  ASSERT_TRUE(offer.ok());
  EXPECT_TRUE(offer->has_value()) << "and its writer is offered help at once";
}

TEST_F(CareTest, ACrisisPostIsPublishedQueuedFirstAndOffersTheWriterHelp) {
  store::PostRow concern_post = Post(peer_, "Lately I feel like such a burden to everyone, there's no point to anything.");
  store::PostRow post = Post(writer_, kCrisisText);
  // Published as usual: anyone can read it.
  auto view = forum_->ShowTopic(Visitor(), post.topic_id, 1);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->posts.front().body_markdown, kCrisisText);

  auto queue = forum_->ReviewQueue(admin_, true, 1);
  ASSERT_TRUE(queue.ok());
  ASSERT_GE(queue->size(), 1u);
  EXPECT_EQ(queue->front().post, post.id);
  EXPECT_EQ(queue->front().level, "crisis");
  EXPECT_EQ(queue->front().priority, 2);
  EXPECT_FALSE(queue->front().reasons.empty());
  if (queue->size() > 1) {
    EXPECT_EQ((*queue)[1].post, concern_post.id);
  }

  auto offer = forum_->SupportFor(writer_, post.id, "GB");
  ASSERT_TRUE(offer.ok());
  ASSERT_TRUE(offer->has_value());
  EXPECT_EQ((*offer)->level, safety::Level::kCrisis);
  EXPECT_EQ((*offer)->country, "GB");
  EXPECT_FALSE((*offer)->helplines.empty());
  // Private to the writer: nobody else is told.
  EXPECT_FALSE(forum_->SupportFor(peer_, post.id, "GB")->has_value());
  EXPECT_FALSE(forum_->SupportFor(Visitor(), post.id, "GB")->has_value());

  // Moderators are told at once.
  auto notices = forum_->Notices(admin_, 1);
  ASSERT_TRUE(notices.ok());
  ASSERT_FALSE(notices->empty());
  EXPECT_EQ(notices->front().kind, "safety_alert");
  EXPECT_EQ(*forum_->UrgentReviewCount(admin_), 1);
  EXPECT_EQ(*forum_->UrgentReviewCount(writer_), 0);
}

TEST_F(CareTest, IdiomsAreNotTreatedAsCrisis) {
  store::PostRow post = Post(writer_, kIdiomText);
  EXPECT_TRUE(forum_->ReviewQueue(admin_, true, 1)->empty());
  EXPECT_FALSE(forum_->SupportFor(writer_, post.id, "GB")->has_value());
}

TEST_F(CareTest, MembersCannotSeeTheQueue) {
  EXPECT_EQ(forum_->ReviewQueue(writer_, true, 1).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(forum_->ReviewQueue(Visitor(), true, 1).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(forum_->Modlog(writer_, 1).error().code, ErrorCode::kForbidden);
}

TEST_F(CareTest, WaitingForAReplyIsRaisedOnceAfterTheConfiguredTime) {
  ASSERT_TRUE(forum_->SetTrustedSupporter(admin_, "peer", true).ok());
  store::PostRow post = Post(writer_, kCrisisText);
  clock_.Advance(14 * 60);
  EXPECT_EQ(*forum_->RaiseWaitingForReply(), 0);
  clock_.Advance(60);
  // A reply by the writer themself does not count as an answer.
  ASSERT_TRUE(forum_->Reply(writer_, post.topic_id, {"Still here.", {}}).ok());
  EXPECT_EQ(*forum_->RaiseWaitingForReply(), 1);
  EXPECT_EQ(*forum_->RaiseWaitingForReply(), 0);
  auto peer_notices = forum_->Notices(peer_, 1);
  ASSERT_FALSE(peer_notices->empty());
  EXPECT_EQ(peer_notices->front().kind, "waiting_for_reply");
}

TEST_F(CareTest, AReplyFromSomeoneElseStopsTheWait) {
  store::PostRow post = Post(writer_, kCrisisText);
  ASSERT_TRUE(forum_->Reply(peer_, post.topic_id, {"I'm here. Can you tell me more?", {}}).ok());
  clock_.Advance(60 * 60);
  EXPECT_EQ(*forum_->RaiseWaitingForReply(), 0);
}

// What came to `viewer` of this kind, newest first.
std::vector<store::NoticeRow> NoticesOfKind(Forum& forum, const Viewer& viewer, const std::string& kind) {
  auto notices = forum.Notices(viewer, 1);
  EXPECT_TRUE(notices.ok());
  std::vector<store::NoticeRow> out;
  for (auto& notice : *notices) {
    if (notice.kind == kind) out.push_back(notice);
  }
  return out;
}

TEST_F(CareTest, ACrisisItemNobodyDecidesOnIsBroughtBackToEveryModeratorOnce) {
  Viewer moderator = Member("moderator");
  ASSERT_TRUE(forum_->SetRole(admin_, "moderator", store::Role::kModerator).ok());
  moderator = SignIn("moderator", "a long enough password");
  store::PostRow post = Post(writer_, kCrisisText);
  Post(peer_, "Lately I feel like such a burden to everyone, there's no point to anything.");
  // A peer's kind reply is not a moderator's decision.
  ASSERT_TRUE(forum_->Reply(peer_, post.topic_id, {"I'm here. Can you tell me more?", {}}).ok());
  clock_.Advance(29 * 60);
  EXPECT_EQ(*forum_->RemindOfWaitingCrisisItems(), 0);
  clock_.Advance(60);
  EXPECT_EQ(*forum_->RemindOfWaitingCrisisItems(), 1) << "the concern post is not a crisis";
  EXPECT_EQ(*forum_->RemindOfWaitingCrisisItems(), 0) << "once only";

  for (const Viewer* responder : {&admin_, &moderator}) {
    auto reminders = NoticesOfKind(*forum_, *responder, "crisis_reminder");
    ASSERT_EQ(reminders.size(), 1u);
    EXPECT_NE(reminders.front().body_html.find("30 minutes"), std::string::npos) << reminders.front().body_html;
    EXPECT_EQ(reminders.front().body_html.find("pills"), std::string::npos) << "no words from the post";
    auto queue = forum_->ReviewQueue(*responder, true, 1);
    ASSERT_FALSE(queue->empty());
    EXPECT_EQ(reminders.front().link, "/mod/queue#r" + std::to_string(queue->front().id));
  }
  EXPECT_TRUE(NoticesOfKind(*forum_, writer_, "crisis_reminder").empty());
  EXPECT_TRUE(NoticesOfKind(*forum_, peer_, "crisis_reminder").empty());
}

TEST_F(CareTest, AnEscalatedCrisisItemIsBroughtBackToTheAdminsAndADecidedOneIsNot) {
  Viewer moderator = Member("moderator");
  ASSERT_TRUE(forum_->SetRole(admin_, "moderator", store::Role::kModerator).ok());
  moderator = SignIn("moderator", "a long enough password");
  Post(writer_, kCrisisText);
  Post(peer_, "I want to end my life tonight, I've written the notes.");
  auto queue = forum_->ReviewQueue(moderator, true, 1);
  ASSERT_EQ(queue->size(), 2u);
  ASSERT_TRUE(forum_->ActOnReview(moderator, (*queue)[0].id, {ReviewAction::kEscalate, (*queue)[0].version, ""}).ok());
  ASSERT_TRUE(forum_->ActOnReview(moderator, (*queue)[1].id, {ReviewAction::kHandled, (*queue)[1].version, ""}).ok());
  clock_.Advance(30 * 60);
  EXPECT_EQ(*forum_->RemindOfWaitingCrisisItems(), 1);
  auto reminders = NoticesOfKind(*forum_, admin_, "crisis_reminder");
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_NE(reminders.front().title.find("admin"), std::string::npos);
  EXPECT_EQ(reminders.front().link, "/mod/queue#r" + std::to_string((*queue)[0].id));
  EXPECT_TRUE(NoticesOfKind(*forum_, moderator, "crisis_reminder").empty());
}

TEST_F(CareTest, AWriterCanTellTheModeratorsWorryMessagesFeelUnwanted) {
  store::PostRow post = Post(writer_, "I haven't been sleeping and everything feels grey.");
  Viewer other = Member("kestrel_r");
  ASSERT_TRUE(forum_->ReportWorry(peer_, post.id, "").ok());
  ASSERT_TRUE(forum_->ReportWorry(other, post.id, "").ok());
  // The kind message tells the writer how.
  auto message = NoticesOfKind(*forum_, writer_, "worry");
  ASSERT_EQ(message.size(), 1u);
  EXPECT_NE(message.front().body_html.find("/p/" + std::to_string(post.id.value) + "/worry-unwanted"), std::string::npos);

  EXPECT_EQ(forum_->ReportUnwantedWorry(peer_, post.id, "").error().key, "not_your_post");
  EXPECT_EQ(forum_->ReportUnwantedWorry(Visitor(), post.id, "").error().code, ErrorCode::kUnauthenticated);
  store::PostRow unworried = Post(writer_, "Another grey day.");
  EXPECT_EQ(forum_->ReportUnwantedWorry(writer_, unworried.id, "").error().key, "no_worry_reports");
  ASSERT_TRUE(forum_->ReportUnwantedWorry(writer_, post.id, "  Same two people every week.  ").ok());
  ASSERT_TRUE(forum_->ReportUnwantedWorry(writer_, post.id, "").ok()) << "nothing more to add";
  ASSERT_TRUE(forum_->ReportUnwantedWorry(writer_, post.id, "It happened again today.").ok());

  auto queue = forum_->ReviewQueue(admin_, true, 1);
  std::vector<store::ReviewItemRow> unwanted;
  for (const auto& item : *queue) {
    if (IsUnwantedWorryReport(item)) unwanted.push_back(item);
  }
  ASSERT_EQ(unwanted.size(), 2u) << "each note reaches the moderators";
  EXPECT_EQ(unwanted.front().note, "Same two people every week.");
  EXPECT_FALSE(unwanted.front().reporter.has_value()) << "an anonymous writer is revealed only through the reveal";
  EXPECT_EQ(*forum_->WorryReporters(admin_, post.id), (std::vector<std::string>{"peer", "kestrel_r"}));
  EXPECT_EQ(forum_->WorryReporters(writer_, post.id).error().code, ErrorCode::kForbidden);
  // About the people who worried, not the post: nothing to hide, edit or suspend.
  EXPECT_EQ(ActionsFor(unwanted.front()),
            (std::vector<ReviewAction>{ReviewAction::kHandled, ReviewAction::kEscalate, ReviewAction::kDismiss}));

  // Closing the worries leaves the writer's report open, and closing that weighs on nobody's record.
  for (const auto& item : *queue) {
    if (IsWorryReport(item)) {
      ASSERT_TRUE(forum_->ActOnReview(admin_, item.id, {ReviewAction::kDismiss, item.version}).ok());
      break;
    }
  }
  auto after = forum_->ReviewItem(admin_, unwanted.front().id);
  EXPECT_EQ(after->status, store::ReviewStatus::kOpen);
  ASSERT_TRUE(forum_->ActOnReview(admin_, after->id, {ReviewAction::kHandled, after->version, "Spoke to both."}).ok());
  EXPECT_EQ(forum_->ReviewItem(admin_, unwanted.back().id)->status, store::ReviewStatus::kOpen)
      << "a note sent meanwhile waits to be read";
  EXPECT_EQ(store_->FindUserByName("writer")->flags_rejected, 0);
  EXPECT_EQ(store_->FindUserByName("writer")->flags_upheld, 0);
  EXPECT_FALSE(store_->FindPost(post.id)->hidden_at.has_value());
}

TEST_F(CareTest, AModeratorWhoWorriedDoesNotSeeTheComplaintAndDismissingItShowsNothingHidden) {
  ASSERT_TRUE(forum_->CreateAdmin("second", "second admin password").ok());
  Viewer second = SignIn("second", "second admin password");
  store::PostRow post = Post(writer_, "Everything feels heavy and grey.");
  // Members' flags hide the post first.
  for (const char* name : {"flagger1", "flagger2", "flagger3"}) {
    Member(name);
    ASSERT_TRUE(forum_->SetTrustLevel(admin_, name, store::TrustLevel::kBasic).ok());
    ASSERT_TRUE(forum_->FlagPost(SignIn(name, "a long enough password"), post.id, "unkind", "").ok());
  }
  ASSERT_EQ(store_->FindPost(post.id)->hidden_reason, "flags");
  ASSERT_TRUE(forum_->ReportWorry(admin_, post.id, "").ok());
  ASSERT_TRUE(forum_->ReportUnwantedWorry(writer_, post.id, "").ok());

  auto is_unwanted = [](const store::ReviewItemRow& item) { return IsUnwantedWorryReport(item); };
  auto mine = forum_->ReviewQueue(admin_, true, 1);
  EXPECT_TRUE(std::none_of(mine->begin(), mine->end(), is_unwanted)) << "not for the moderator who worried";
  auto theirs = forum_->ReviewQueue(second, true, 1);
  auto unwanted = std::find_if(theirs->begin(), theirs->end(), is_unwanted);
  ASSERT_NE(unwanted, theirs->end());
  EXPECT_EQ(forum_->ReviewItem(admin_, unwanted->id).error().key, "review_not_found") << "not even that it exists";
  ASSERT_TRUE(forum_->ActOnReview(second, unwanted->id, {ReviewAction::kDismiss, unwanted->version}).ok());
  EXPECT_EQ(store_->FindPost(post.id)->hidden_reason, "flags") << "the flags wait for their own decision";
}

TEST_F(CareTest, WorryReportsSendOneKindMessageAWeekAndNeverNameTheReporter) {
  store::PostRow post = Post(writer_, "I haven't been sleeping and everything feels grey.");
  Viewer other = Member("kestrel_r");
  ASSERT_TRUE(forum_->ReportWorry(peer_, post.id, "They sound low").ok());
  ASSERT_TRUE(forum_->ReportWorry(other, post.id, "").ok());
  auto notices = forum_->Notices(writer_, 1);
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ(notices->front().kind, "worry");
  EXPECT_EQ(notices->front().body_html.find("peer"), std::string::npos);
  EXPECT_EQ(notices->front().body_html.find("kestrel_r"), std::string::npos);
  // Moderators see both reports, with who sent them.
  auto queue = forum_->ReviewQueue(admin_, true, 1);
  int worried = 0;
  for (const auto& item : *queue) worried += item.reasons == "worried" && item.reporter.has_value();
  EXPECT_EQ(worried, 2);
  clock_.Advance(7 * 24 * 3600);
  ASSERT_TRUE(forum_->ReportWorry(other, post.id, "").ok());
  EXPECT_EQ(forum_->Notices(writer_, 1)->size(), 2u);
}

TEST_F(CareTest, AReporterSendsAtMostThreeWorryReportsADay) {
  std::vector<store::PostRow> posts;
  for (int i = 0; i < 4; ++i) posts.push_back(Post(Member("w" + std::to_string(i) + "xx"), "A hard day again."));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(forum_->ReportWorry(peer_, posts[i].id, "").ok());
  auto fourth = forum_->ReportWorry(peer_, posts[3].id, "");
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.error().code, ErrorCode::kRateLimited);
  clock_.Advance(24 * 3600);
  EXPECT_TRUE(forum_->ReportWorry(peer_, posts[3].id, "").ok());
}

TEST_F(CareTest, WritersCanOptOutOfWorryMessages) {
  store::PostRow post = Post(writer_, "A hard day again.");
  ASSERT_TRUE(forum_->SetWorryOptOut(writer_, true).ok());
  // The reporter is answered the same way, so the opt-out is not revealed.
  ASSERT_TRUE(forum_->ReportWorry(peer_, post.id, "").ok());
  EXPECT_TRUE(forum_->Notices(writer_, 1)->empty());
  EXPECT_FALSE(forum_->ReviewQueue(admin_, true, 1)->empty());
}

TEST_F(CareTest, NobodyReportsTheirOwnPost) {
  store::PostRow post = Post(writer_, "A hard day again.");
  EXPECT_EQ(forum_->ReportWorry(writer_, post.id, "").error().code, ErrorCode::kForbidden);
}

TEST_F(CareTest, TwoModeratorsActingAtOnceGetAConflict) {
  Post(writer_, kCrisisText);
  auto item = forum_->ReviewQueue(admin_, true, 1)->front();
  auto first = forum_->ActOnReview(admin_, item.id, {ReviewAction::kHandled, item.version, "Messaged them."});
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = forum_->ActOnReview(admin_, item.id, {ReviewAction::kHandled, item.version, "Me too."});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  auto log = forum_->Modlog(admin_, 1);
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->front().action, "review.handled");
  EXPECT_EQ(log->front().reason, "Messaged them.");
}

TEST_F(CareTest, RecordingAnEmergencyContactNeedsANoteAndKeepsTheItemOpen) {
  Post(writer_, kCrisisText);
  auto item = forum_->ReviewQueue(admin_, true, 1)->front();
  EXPECT_EQ(forum_->ActOnReview(admin_, item.id, {ReviewAction::kRecordEmergencyContact, item.version, ""})
                .error()
                .field,
            "reason");
  ASSERT_TRUE(
      forum_->ActOnReview(admin_, item.id, {ReviewAction::kRecordEmergencyContact, item.version, "Called 999 (Sam)."})
          .ok());
  EXPECT_EQ(forum_->ReviewQueue(admin_, true, 1)->size(), 1u);
  EXPECT_EQ(forum_->Modlog(admin_, 1)->front().action, "emergency.contacted");
}

TEST_F(CareTest, ModeratorsMessageTheWriterPrivately) {
  Post(writer_, kCrisisText);
  auto item = forum_->ReviewQueue(admin_, true, 1)->front();
  auto templates = forum_->MessageTemplates();
  ASSERT_GE(templates.size(), 2u);
  EXPECT_EQ(*forum_->UnreadNoticeCount(writer_), 0) << "counted, and kept until the feed moves";
  ASSERT_TRUE(forum_->MessageWriter(admin_, item.id, templates.front()).ok());
  auto notices = forum_->Notices(writer_, 1);
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ(notices->front().kind, "moderator_message");
  EXPECT_EQ(*forum_->UnreadNoticeCount(writer_), 1);
  ASSERT_TRUE(forum_->MarkNoticesRead(writer_, *notices).ok());
  EXPECT_EQ(*forum_->UnreadNoticeCount(writer_), 0);
  EXPECT_EQ(forum_->Modlog(admin_, 1)->front().action, "message.sent");
}

TEST_F(CareTest, ReadingOnePageOfMessagesLeavesTheNextPageUnread) {
  for (int i = 0; i < 31; ++i) {
    ASSERT_TRUE(store_->CreateNotice({admin_.member->id, "safety_alert", "A post may need you", "", "", clock_.Now() + i}).ok());
  }
  auto first_page = forum_->Notices(admin_, 1);
  ASSERT_TRUE(first_page.ok());
  ASSERT_TRUE(forum_->MarkNoticesRead(admin_, *first_page).ok());
  EXPECT_EQ(*forum_->UnreadNoticeCount(admin_), 31 - static_cast<std::int64_t>(first_page->size()))
      << "the oldest alert was not shown, so it is not read";
  ASSERT_TRUE(forum_->MarkNoticesRead(admin_, *forum_->Notices(admin_, 2)).ok());
  EXPECT_EQ(*forum_->UnreadNoticeCount(admin_), 0);
}

TEST_F(CareTest, DraftChecksReturnTheLevelAndHelplinesWithoutStoringAnything) {
  auto checked = forum_->CheckDraft(writer_, kCrisisText, "US");
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->first.level, safety::Level::kCrisis);
  EXPECT_EQ(checked->second.country, "US");
  EXPECT_FALSE(checked->second.helplines.empty());
  EXPECT_TRUE(forum_->ReviewQueue(admin_, true, 1)->empty());
  auto calm = forum_->CheckDraft(writer_, kIdiomText, "US");
  EXPECT_EQ(calm->first.level, safety::Level::kNone);
  EXPECT_TRUE(calm->second.helplines.empty());
}

TEST_F(CareTest, AdminsEditThePanelsOpeningWords) {
  auto before = forum_->CheckDraft(writer_, kCrisisText, "GB");
  ASSERT_FALSE(before->second.message.empty());
  EXPECT_NE(before->second.message.front().find("Thank you for sharing"), std::string::npos);
  ASSERT_TRUE(forum_->SaveSupportMessages(admin_, {"We are glad you told us.\n\nYour post is up.", "We hear you."}).ok());
  auto after = forum_->CheckDraft(writer_, kCrisisText, "GB");
  EXPECT_EQ(after->second.message, (std::vector<std::string>{"We are glad you told us.", "Your post is up."}));
  EXPECT_EQ(forum_->SaveSupportMessages(writer_, {"a", "b"}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(forum_->SaveSupportMessages(admin_, {"", "b"}).error().field, "support_crisis");
}

TEST_F(CareTest, AdminsEditTheHelplineDirectory) {
  std::string tsv = forum_->Helplines().ToTsv();
  ASSERT_TRUE(forum_->SaveHelplines(admin_, tsv).ok());
  EXPECT_EQ(forum_->SaveHelplines(writer_, tsv).error().code, ErrorCode::kForbidden);
  auto broken = forum_->SaveHelplines(admin_, "this is not a directory");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().field, "helplines");
}

}  // namespace
}  // namespace kindred::forum
