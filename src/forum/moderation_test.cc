// Moderation in the domain: watched words, new members' limits, slow mode, weighted flags and
// the automatic hide, trust, suspension, review actions and the logged anonymous reveal.
#include <gtest/gtest.h>

#include "forum/forum_test_fixture.h"
#include "forum/watched_words.h"

namespace kindred::forum {
namespace {

store::WatchedWordRow Word(std::string pattern, store::WatchedAction action, std::string replacement = "") {
  return {0, std::move(pattern), action, std::move(replacement), 0};
}

TEST(WatchedWordsTest, MatchesWholeWordsIgnoringCase) {
  std::vector<store::WatchedWordRow> words{Word("casino", store::WatchedAction::kBlock)};
  EXPECT_EQ(FindWatchedWords("Best CASINO bonus", words).size(), 1u);
  EXPECT_TRUE(FindWatchedWords("casinos", words).empty()) << "whole words only, without a star";
  EXPECT_TRUE(FindWatchedWords("occasional", words).empty());
}

TEST(WatchedWordsTest, StarStandsForAnyLetters) {
  std::vector<store::WatchedWordRow> words{Word("spam*", store::WatchedAction::kFlag)};
  EXPECT_EQ(FindWatchedWords("a spammer spamming", words).size(), 2u);
  EXPECT_TRUE(FindWatchedWords("sp am", words).empty());
  std::vector<store::WatchedWordRow> inner{Word("b*d", store::WatchedAction::kFlag)};
  EXPECT_EQ(FindWatchedWords("bad bold bd", inner).size(), 3u);
  EXPECT_TRUE(FindWatchedWords("bade", inner).empty());
}

TEST(WatchedWordsTest, PhrasesMatchAcrossSpacesAndPunctuation) {
  std::vector<store::WatchedWordRow> words{Word("buy now", store::WatchedAction::kHold)};
  auto found = FindWatchedWords("Please, BUY... now!", words);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(std::string_view("Please, BUY... now!").substr(found[0].begin, found[0].end - found[0].begin), "BUY... now");
  EXPECT_TRUE(FindWatchedWords("buy it now", words).empty());
}

TEST(WatchedWordsTest, ReplacesOnlyReplaceMatches) {
  std::vector<store::WatchedWordRow> words{Word("darn", store::WatchedAction::kReplace, "d***"),
                                           Word("casino", store::WatchedAction::kFlag)};
  std::string text = "Darn it, the casino again. darn!";
  EXPECT_EQ(ReplaceWatchedWords(text, FindWatchedWords(text, words)), "d*** it, the casino again. d***!");
}

TEST(WatchedWordsTest, AccentedWordsStayWhole) {
  std::vector<store::WatchedWordRow> words{Word("cafe", store::WatchedAction::kFlag)};
  EXPECT_TRUE(FindWatchedWords("café", words).empty());
}

TEST(WatchedWordsTest, PatternsAreValidatedAndTidied) {
  auto tidy = ValidateWatchedPattern("  buy   now ");
  ASSERT_TRUE(tidy.ok());
  EXPECT_EQ(*tidy, "buy now");
  EXPECT_EQ(ValidateWatchedPattern("   ").error().key, "pattern_empty");
  EXPECT_EQ(ValidateWatchedPattern("***").error().key, "pattern_empty");
  EXPECT_EQ(ValidateWatchedPattern("a b c d e f g h i").error().key, "pattern_too_long");
}


constexpr long long kDay = 24 * 3600;
constexpr const char* kCrisisText = "I want to kill myself tonight, I have the pills here. www.example.org";

class ModerationTest : public ForumTest {
 protected:
  void SetUp() override {
    ForumTest::SetUp();
    asker_ = Member("asker");
    topic_ = AskSomething(asker_);
  }

  // A member whose trust an admin raised, so new members' limits do not apply.
  Viewer BasicMember(const std::string& name) {
    Member(name);
    EXPECT_TRUE(forum_->SetTrustLevel(admin_, name, store::TrustLevel::kBasic).ok());
    return SignIn(name, "a long enough password");
  }

  Result<store::PostRow> Reply(const Viewer& viewer, const std::string& body) {
    return forum_->Reply(viewer, topic_, {body, std::nullopt});
  }

  std::vector<store::ReviewItemRow> OpenItemsFor(PostId post) {
    std::vector<store::ReviewItemRow> open;
    auto items = store_->ListReviewItemsForPost(post);
    EXPECT_TRUE(items.ok());
    for (auto& item : *items) {
      if (item.status == store::ReviewStatus::kOpen) open.push_back(std::move(item));
    }
    return open;
  }

  std::vector<std::string> ModlogActions() {
    std::vector<std::string> actions;
    auto log = forum_->Modlog(admin_, 1);
    EXPECT_TRUE(log.ok());
    for (const auto& entry : *log) actions.push_back(entry.action);
    return actions;
  }

  Viewer asker_;
  TopicId topic_;
};

TEST_F(ModerationTest, SuspendedMembersReadButDoNotPostUntilTheTimeIsUp) {
  Viewer member = BasicMember("paused");
  auto reply = Reply(member, "A reply before the pause.");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(forum_->Suspend(admin_, "paused", 2, "").error().key, "reason_required");
  ASSERT_TRUE(forum_->Suspend(admin_, "paused", 2, "Please keep replies kind.").ok());
  member = SignIn("paused", "a long enough password");
  EXPECT_TRUE(member.is_suspended());

  EXPECT_TRUE(forum_->ShowTopic(member, topic_, 1).ok()) << "reading goes on";
  auto refused = Reply(member, "Another reply.");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "suspended");
  EXPECT_NE(refused.error().message.find("Please keep replies kind."), std::string::npos);
  EXPECT_EQ(forum_->Ask(member, {category_, "A new question while paused", "Text"}).error().key, "suspended");
  EXPECT_EQ(forum_->React(member, forum_->ShowTopic(member, topic_, 1)->posts[0].id, store::ReactionKind::kHug)
                .error()
                .key,
            "suspended");
  EXPECT_TRUE(forum_->DeletePost(member, reply->id).ok()) << "their own words stay theirs to remove";
  EXPECT_EQ(forum_->Notices(member, 1)->front().kind, "suspended");

  clock_.Advance(2 * kDay + 1);
  member = SignIn("paused", "a long enough password");
  EXPECT_FALSE(member.is_suspended());
  EXPECT_TRUE(Reply(member, "Back again.").ok());
  auto actions = ModlogActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "user.suspended"), actions.end());
}

TEST_F(ModerationTest, OnlyAdminsSuspendModeratorsAndNoOneSuspendsAnAdmin) {
  Member("mod");
  ASSERT_TRUE(store_->SetRole(store_->FindUserByName("mod")->id, store::Role::kModerator).ok());
  Viewer moderator = SignIn("mod", "a long enough password");
  Member("other");
  ASSERT_TRUE(store_->SetRole(store_->FindUserByName("other")->id, store::Role::kModerator).ok());
  EXPECT_EQ(forum_->Suspend(moderator, "other", 1, "reason").error().key, "admins_only");
  EXPECT_EQ(forum_->Suspend(moderator, "admin", 1, "reason").error().key, "admins_only");
  EXPECT_EQ(forum_->Suspend(moderator, "mod", 1, "reason").error().key, "own_account");
  EXPECT_EQ(forum_->Suspend(asker_, "other", 1, "reason").error().key, "moderators_only");
  EXPECT_TRUE(forum_->Suspend(admin_, "other", 1, "reason").ok());
  EXPECT_EQ(forum_->Suspend(admin_, "asker", 0, "reason").error().key, "suspend_days");
}

TEST_F(ModerationTest, NewMembersMeetLinkLimitsAndTheirFirstLinkedPostsWaitForAModerator) {
  forum_->SetModerationRules({}, {});
  Viewer newcomer = Member("newcomer");
  auto too_many = Reply(newcomer, "See https://a.example, https://b.example and https://c.example");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().key, "too_many_links");
  EXPECT_EQ(too_many.error().field, "body");

  auto linked = Reply(newcomer, "This leaflet helped me: https://leaflet.example");
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  EXPECT_TRUE(linked->hidden_at.has_value());
  EXPECT_EQ(linked->hidden_reason, "held");
  auto held = OpenItemsFor(linked->id);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].kind, store::ReviewKind::kHeld);

  auto plain = Reply(newcomer, "And thank you all for listening.");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->hidden_at.has_value()) << "only posts with links wait";

  ReviewActionInput approve{ReviewAction::kApprove, held[0].version};
  ASSERT_TRUE(forum_->ActOnReview(admin_, held[0].id, approve).ok());
  EXPECT_FALSE(store_->FindPost(linked->id)->hidden_at.has_value());

  // A member an admin trusts more is not held.
  Viewer basic = BasicMember("basic");
  auto trusted_link = Reply(basic, "Here: https://leaflet.example");
  ASSERT_TRUE(trusted_link.ok());
  EXPECT_FALSE(trusted_link->hidden_at.has_value());
}

TEST_F(ModerationTest, RiskLanguageIsNeverHeldOrBlocked) {
  forum_->SetModerationRules({}, {});
  ASSERT_TRUE(forum_->AddWatchedWord(admin_, "pills", store::WatchedAction::kBlock, "").ok());
  Viewer newcomer = Member("newcomer");
  auto crisis = Reply(newcomer, kCrisisText);
  ASSERT_TRUE(crisis.ok()) << crisis.error().message;
  EXPECT_FALSE(crisis->hidden_at.has_value());
  bool safety_item = false;
  for (const auto& item : OpenItemsFor(crisis->id)) safety_item |= item.kind == store::ReviewKind::kSafety;
  EXPECT_TRUE(safety_item) << "a person goes to the safety queue instead";
}

TEST_F(ModerationTest, WatchedWordsFlagHoldReplaceOrBlock) {
  ASSERT_TRUE(forum_->AddWatchedWord(admin_, "casino*", store::WatchedAction::kBlock, "").ok());
  ASSERT_TRUE(forum_->AddWatchedWord(admin_, "buy now", store::WatchedAction::kHold, "").ok());
  ASSERT_TRUE(forum_->AddWatchedWord(admin_, "darn", store::WatchedAction::kReplace, "d***").ok());
  ASSERT_TRUE(forum_->AddWatchedWord(admin_, "idiot", store::WatchedAction::kFlag, "").ok());
  EXPECT_EQ(forum_->AddWatchedWord(admin_, "DARN", store::WatchedAction::kFlag, "").error().key, "pattern_taken");
  EXPECT_EQ(forum_->AddWatchedWord(admin_, "x", store::WatchedAction::kReplace, "").error().key, "replacement_required");
  EXPECT_EQ(forum_->AddWatchedWord(asker_, "y", store::WatchedAction::kFlag, "").error().key, "admins_only");
  Viewer member = BasicMember("member");

  auto blocked = Reply(member, "Try the Casinos, they help");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().key, "watched_word_blocked");
  EXPECT_NE(blocked.error().message.find("\"Casinos\""), std::string::npos);

  auto held = Reply(member, "Buy now, limited offer");
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->hidden_reason, "held");

  auto replaced = Reply(member, "Darn this week.");
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->body_markdown, "d*** this week.");

  auto flagged = Reply(member, "what an idiot my boss is");
  ASSERT_TRUE(flagged.ok());
  EXPECT_FALSE(flagged->hidden_at.has_value()) << "a flag asks for a look, it hides nothing";
  auto items = OpenItemsFor(flagged->id);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].kind, store::ReviewKind::kFlag);
  EXPECT_NE(items[0].reasons.find("idiot"), std::string::npos);

  auto words = forum_->WatchedWords(admin_);
  ASSERT_EQ(words->size(), 4u);
  ASSERT_TRUE(forum_->RemoveWatchedWord(admin_, words->front().id).ok());
  EXPECT_EQ(forum_->WatchedWords(admin_)->size(), 3u);
  EXPECT_EQ(forum_->RemoveWatchedWord(admin_, words->front().id).error().key, "watched_word_not_found");
}

TEST_F(ModerationTest, SlowModeSpacesOnePersonsRepliesButNotModerators) {
  EXPECT_EQ(forum_->SetSlowMode(asker_, topic_, 600).error().key, "moderators_only");
  EXPECT_EQ(forum_->SetSlowMode(admin_, topic_, -1).error().key, "slow_mode_range");
  ASSERT_TRUE(forum_->SetSlowMode(admin_, topic_, 600).ok());
  Viewer member = BasicMember("member");
  ASSERT_TRUE(Reply(member, "First thoughts.").ok());
  auto again = Reply(member, "Second thoughts.");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().key, "slow_mode");
  EXPECT_EQ(again.error().code, ErrorCode::kRateLimited);
  EXPECT_GT(again.error().retry_after_seconds, 590);
  EXPECT_TRUE(Reply(BasicMember("someone"), "Another voice.").ok()) << "per person, not per topic";
  EXPECT_TRUE(Reply(admin_, "Moderators are not slowed.").ok());
  EXPECT_TRUE(Reply(admin_, "Not at all.").ok());
  EXPECT_TRUE(Reply(member, "I can't do this anymore, I want to kill myself tonight.").ok())
      << "someone reaching out is never told to wait";
  clock_.Advance(601);
  EXPECT_TRUE(Reply(member, "Second thoughts.").ok());
}

TEST_F(ModerationTest, FlagsFromEnoughTrustedMembersHideAPostUntilAModeratorLooks) {
  Viewer writer = BasicMember("writer");
  auto post = Reply(writer, "Something unkind.");
  ASSERT_TRUE(post.ok());
  ASSERT_TRUE(forum_->FlagPost(BasicMember("one"), post->id, "unkind", "").ok());
  Viewer two = BasicMember("two");
  ASSERT_TRUE(forum_->FlagPost(two, post->id, "unkind", "").ok());
  ASSERT_TRUE(forum_->FlagPost(two, post->id, "unkind", "").ok()) << "a second click counts once";
  EXPECT_FALSE(store_->FindPost(post->id)->hidden_at.has_value());
  ASSERT_TRUE(forum_->FlagPost(Member("newcomer"), post->id, "spam", "").ok());
  EXPECT_FALSE(store_->FindPost(post->id)->hidden_at.has_value()) << "a new member's flag weighs half";
  ASSERT_TRUE(forum_->FlagPost(BasicMember("three"), post->id, "unkind", "").ok());
  auto hidden = store_->FindPost(post->id);
  ASSERT_TRUE(hidden->hidden_at.has_value());
  EXPECT_EQ(hidden->hidden_reason, "flags");
  EXPECT_EQ(forum_->Notices(writer, 1)->front().kind, "post_hidden");

  // A moderator finds nothing wrong: the post is back, every flag on it settled, flaggers' records note it.
  auto items = OpenItemsFor(post->id);
  ASSERT_EQ(items.size(), 4u);
  ASSERT_TRUE(forum_->ActOnReview(admin_, items[0].id, {ReviewAction::kDismiss, items[0].version}).ok());
  EXPECT_FALSE(store_->FindPost(post->id)->hidden_at.has_value());
  EXPECT_TRUE(OpenItemsFor(post->id).empty());
  EXPECT_EQ(store_->FindUserByName("two")->flags_rejected, 1);
  EXPECT_EQ(store_->FindUserByName("two")->flags_upheld, 0);
  // And its writer, told it was hidden, is told it is back.
  auto told = forum_->Notices(writer, 1)->front();
  EXPECT_EQ(told.title, "Your post is shown again");
  EXPECT_EQ(told.link, "/p/" + std::to_string(post->id.value));
}

TEST_F(ModerationTest, AModeratorsHideNeedsAReasonAndCanBeUndoneFromThePost) {
  Viewer writer = BasicMember("writer");
  auto post = Reply(writer, "Something unkind.");
  ASSERT_TRUE(forum_->FlagPost(BasicMember("flagger"), post->id, "unkind", "").ok());
  auto item = OpenItemsFor(post->id).at(0);
  EXPECT_EQ(forum_->ActOnReview(admin_, item.id, {ReviewAction::kHide, item.version, "  "}).error().key,
            "note_required")
      << "the writer reads why";
  // Flags and held posts are decided in the queue, not from the post.
  EXPECT_EQ(forum_->ShowPostAgain(admin_, post->id, "").error().key, "not_hidden");
  ASSERT_TRUE(forum_->ActOnReview(admin_, item.id, {ReviewAction::kHide, item.version, "Please keep to ideas."}).ok());
  EXPECT_NE(forum_->Notices(writer, 1)->front().body_html.find("Their reason: Please keep to ideas."),
            std::string::npos);
  EXPECT_EQ(store_->FindPost(post->id)->hidden_reason, "moderator");

  EXPECT_EQ(forum_->ShowPostAgain(writer, post->id, "").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(forum_->ShowPostAgain(admin_, post->id, std::string(2001, 'x')).error().key, "note_too_long");
  ASSERT_TRUE(forum_->ShowPostAgain(admin_, post->id, "On a second read it was fair.").ok());
  EXPECT_FALSE(store_->FindPost(post->id)->hidden_at.has_value());
  auto told = forum_->Notices(writer, 1)->front();
  EXPECT_EQ(told.title, "Your post is shown again");
  EXPECT_NE(told.body_html.find("Their note: On a second read it was fair."), std::string::npos);
  auto log = forum_->Modlog(admin_, 1)->front();
  EXPECT_EQ(log.action, "post.shown_again");
  EXPECT_EQ(log.reason, "On a second read it was fair.");
  EXPECT_EQ(forum_->ShowPostAgain(admin_, post->id, "").error().key, "not_hidden") << "once is enough";

  // Hidden by flags: its open items are where that is decided.
  auto flagged = Reply(writer, "Another unkind thing.");
  for (const char* name : {"flagger1", "flagger2", "flagger3"}) ASSERT_TRUE(forum_->FlagPost(BasicMember(name), flagged->id, "unkind", "").ok());
  ASSERT_EQ(store_->FindPost(flagged->id)->hidden_reason, "flags");
  EXPECT_EQ(forum_->ShowPostAgain(admin_, flagged->id, "").error().key, "decided_in_queue");
}

TEST_F(ModerationTest, WorryReportsNeverHideAPostNorCountAgainstThoseWhoWorried) {
  Viewer writer = BasicMember("writer");
  auto post = Reply(writer, "Everything feels grey lately.");
  ASSERT_TRUE(post.ok());
  Viewer one = BasicMember("one");
  Viewer two = BasicMember("two");
  ASSERT_TRUE(forum_->FlagPost(one, post->id, "worried", "").ok());
  ASSERT_TRUE(forum_->FlagPost(two, post->id, "worried", "They sound low.").ok());
  ASSERT_TRUE(forum_->FlagPost(BasicMember("three"), post->id, "misplaced", "").ok());
  ASSERT_TRUE(forum_->FlagPost(BasicMember("four"), post->id, "unkind", "").ok());
  EXPECT_FALSE(store_->FindPost(post->id)->hidden_at.has_value()) << "care is never a reason to hide";

  auto items = OpenItemsFor(post->id);
  const store::ReviewItemRow* worry = nullptr;
  for (const auto& item : items) {
    if (IsWorryReport(item)) worry = &item;
  }
  ASSERT_NE(worry, nullptr);
  auto offered = ActionsFor(*worry);
  EXPECT_EQ(std::find(offered.begin(), offered.end(), ReviewAction::kHide), offered.end());
  EXPECT_NE(std::find(offered.begin(), offered.end(), ReviewAction::kHandled), offered.end());
  ASSERT_TRUE(forum_->ActOnReview(admin_, worry->id, {ReviewAction::kDismiss, worry->version}).ok());
  EXPECT_EQ(store_->FindUserByName("one")->flags_rejected, 0) << "worrying is never held against anyone";
  EXPECT_EQ(store_->FindUserByName("two")->flags_rejected, 0);
  EXPECT_EQ(OpenItemsFor(post->id).size(), 2u) << "the unkind and misplaced flags still wait for their own decision";
}

TEST_F(ModerationTest, AWorryFirstDoesNotSwallowAFlagFromTheSameMember) {
  Viewer writer = BasicMember("writer");
  auto post = Reply(writer, "Something unkind, and maybe something worrying.");
  Viewer member = BasicMember("member");
  ASSERT_TRUE(forum_->ReportWorry(member, post->id, "").ok());
  ASSERT_TRUE(forum_->FlagPost(member, post->id, "unkind", "").ok());
  int fault_flags = 0;
  for (const auto& item : OpenItemsFor(post->id)) fault_flags += IsFaultFlag(item);
  EXPECT_EQ(fault_flags, 1);
}

TEST_F(ModerationTest, FlaggersWhoseFlagsWereTurnedDownWeighLess) {
  Viewer writer = BasicMember("writer");
  std::vector<Viewer> flaggers{BasicMember("one"), BasicMember("two"), BasicMember("three")};
  for (const auto& flagger : flaggers) ASSERT_TRUE(store_->AddFlagOutcomes(flagger.member->id, 0, 4).ok());
  auto post = Reply(writer, "An ordinary reply.");
  for (const auto& flagger : flaggers) ASSERT_TRUE(forum_->FlagPost(flagger, post->id, "unkind", "").ok());
  EXPECT_FALSE(store_->FindPost(post->id)->hidden_at.has_value());
}

TEST_F(ModerationTest, APostThatMaySpeakOfRiskIsNeverHiddenByFlags) {
  Viewer writer = BasicMember("writer");
  auto post = Reply(writer, kCrisisText);
  for (const char* name : {"one", "two", "three", "four"}) {
    ASSERT_TRUE(forum_->FlagPost(BasicMember(name), post->id, "unkind", "").ok());
  }
  EXPECT_FALSE(store_->FindPost(post->id)->hidden_at.has_value());
}

TEST_F(ModerationTest, ReviewActionsDoWhatTheySayAndTwoModeratorsCannotActTwice) {
  Viewer writer = BasicMember("writer");
  auto post = Reply(writer, "Something unkind.");
  ASSERT_TRUE(forum_->FlagPost(BasicMember("flagger"), post->id, "unkind", "").ok());
  auto item = OpenItemsFor(post->id).at(0);
  EXPECT_EQ(forum_->ActOnReview(admin_, item.id, {ReviewAction::kMove, item.version}).error().key, "action_not_offered");
  EXPECT_EQ(forum_->ActOnReview(admin_, item.id, {ReviewAction::kEdit, item.version, ""}).error().key, "note_required");
  EXPECT_EQ(forum_->ActOnReview(admin_, item.id, {ReviewAction::kHide, item.version, ""}).error().key, "note_required");

  ReviewActionInput edit{ReviewAction::kEdit, item.version, "We keep replies about ideas, not people.", "Something."};
  ASSERT_TRUE(forum_->ActOnReview(admin_, item.id, edit).ok());
  EXPECT_EQ(store_->FindPost(post->id)->body_markdown, "Something.");
  auto told = forum_->Notices(writer, 1)->front();
  EXPECT_EQ(told.kind, "moderation");
  EXPECT_NE(told.body_html.find("We keep replies about ideas"), std::string::npos);
  // The second moderator saw the old version.
  auto late = forum_->ActOnReview(admin_, item.id, {ReviewAction::kDelete, item.version, "late"});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->FindPost(post->id)->body_markdown, "Something.") << "nothing happened twice";
  EXPECT_EQ(store_->FindUserByName("flagger")->flags_upheld, 1);

  // Suspend through the queue.
  auto second = Reply(writer, "More of the same.");
  ASSERT_TRUE(forum_->FlagPost(BasicMember("flagger2"), second->id, "unkind", "").ok());
  auto item2 = OpenItemsFor(second->id).at(0);
  EXPECT_EQ(forum_->ActOnReview(admin_, item2.id, {ReviewAction::kSuspend, item2.version, "Time to cool off."})
                .error()
                .key,
            "suspend_days");
  ReviewActionInput suspend{ReviewAction::kSuspend, item2.version, "Time to cool off.", "", std::nullopt, 3};
  ASSERT_TRUE(forum_->ActOnReview(admin_, item2.id, suspend).ok());
  EXPECT_TRUE(store_->FindUserByName("writer")->suspended_at(clock_.Now()));
  auto actions = ModlogActions();
  for (const char* expected : {"review.edited", "review.suspended", "user.suspended"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), expected), actions.end()) << expected;
  }
}

TEST_F(ModerationTest, TrustGrowsWithTimeAndPostsAndAnAdminsSettingStays) {
  Viewer member = Member("growing");
  EXPECT_EQ(member.member->trust_level, store::TrustLevel::kNew);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Reply(member, "Reply " + std::to_string(i)).ok());
  EXPECT_EQ(store_->FindUserByName("growing")->trust_level, store::TrustLevel::kNew) << "time matters too";
  clock_.Advance(3 * kDay);
  ASSERT_TRUE(Reply(member, "A reply a few days later.").ok());
  EXPECT_EQ(store_->FindUserByName("growing")->trust_level, store::TrustLevel::kBasic);

  EXPECT_EQ(forum_->SetTrustLevel(member, "growing", store::TrustLevel::kTrusted).error().key, "admins_only");
  Member("kept");
  ASSERT_TRUE(forum_->SetTrustLevel(admin_, "kept", store::TrustLevel::kNew).ok());
  Viewer kept = SignIn("kept", "a long enough password");
  clock_.Advance(3 * kDay);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Reply(kept, "Reply " + std::to_string(i)).ok());
  EXPECT_EQ(store_->FindUserByName("kept")->trust_level, store::TrustLevel::kNew) << "an admin's choice stays";
}

TEST_F(ModerationTest, AnAnonymousWriterIsRevealedOnlyToAModeratorWithAReasonOnTheRecord) {
  Viewer writer = BasicMember("writer");
  auto post = forum_->Reply(writer, topic_, {"Something I find hard to say.", std::nullopt, true, ""});
  ASSERT_TRUE(post.ok());
  EXPECT_TRUE(post->anonymous);
  EXPECT_TRUE(post->author_name.empty());
  EXPECT_EQ(forum_->RevealAnonymous(asker_, post->id, "curious").error().key, "moderators_only");
  EXPECT_EQ(forum_->RevealAnonymous(admin_, post->id, " ").error().key, "reason_required");
  auto writer_row = forum_->RevealAnonymous(admin_, post->id, "Repeated harassment reports");
  ASSERT_TRUE(writer_row.ok());
  EXPECT_EQ(writer_row->username, "writer");
  auto log = forum_->Modlog(admin_, 1).value();
  EXPECT_EQ(log.front().action, "anonymous.revealed");
  EXPECT_EQ(log.front().reason, "Repeated harassment reports");
}

}  // namespace
}  // namespace kindred::forum
