// Personal controls (forum/personal.cc) and the oversharing hint (forum/validation.cc).
#include <gtest/gtest.h>

#include "forum/forum_test_fixture.h"
#include "forum/limits.h"
#include "forum/validation.h"

namespace kindred::forum {
namespace {

TEST(LooksLikeContactDetails, FindsEmailAddresses) {
  EXPECT_TRUE(LooksLikeContactDetails("write to me at sam.jones@example.org please"));
  EXPECT_TRUE(LooksLikeContactDetails("a.b+forum@mail.example.co.uk"));
  EXPECT_TRUE(LooksLikeContactDetails("(me@example.com)"));
  EXPECT_FALSE(LooksLikeContactDetails("thanks @sam for this"));
  EXPECT_FALSE(LooksLikeContactDetails("meet me @ the cafe"));
  EXPECT_FALSE(LooksLikeContactDetails("me@home is where I feel safe"));
}

TEST(LooksLikeContactDetails, FindsPhoneNumbersInUkUsAndInternationalFormats) {
  EXPECT_TRUE(LooksLikeContactDetails("call me on 07700 900123"));
  EXPECT_TRUE(LooksLikeContactDetails("my mobile is 07700900123."));
  EXPECT_TRUE(LooksLikeContactDetails("landline 020 7946 0958"));
  EXPECT_TRUE(LooksLikeContactDetails("+44 20 7946 0958"));
  EXPECT_TRUE(LooksLikeContactDetails("+44 (0)20 7946 0958"));
  EXPECT_TRUE(LooksLikeContactDetails("(555) 123-4567"));
  EXPECT_TRUE(LooksLikeContactDetails("555-123-4567"));
  EXPECT_TRUE(LooksLikeContactDetails("555.123.4567"));
  EXPECT_TRUE(LooksLikeContactDetails("+1 555 123 4567"));
  EXPECT_TRUE(LooksLikeContactDetails("+353 87 123 4567"));
  EXPECT_TRUE(LooksLikeContactDetails("+61 412 345 678"));
}

TEST(LooksLikeContactDetails, LeavesDatesTimesYearsMoneyAndShortNumbersAlone) {
  EXPECT_FALSE(LooksLikeContactDetails("On 12/03/2024 I started therapy"));
  EXPECT_FALSE(LooksLikeContactDetails("since 2024-03-12, at 10:30 and 14:45"));
  EXPECT_FALSE(LooksLikeContactDetails("in 1990 2000 2010 things changed"));
  EXPECT_FALSE(LooksLikeContactDetails("it cost £1,500,000 or $2,500.00"));
  EXPECT_FALSE(LooksLikeContactDetails("€1500000000 is a lot"));
  EXPECT_FALSE(LooksLikeContactDetails("1.000.000.000 people"));
  EXPECT_FALSE(LooksLikeContactDetails("support is 24/7, 365 days a year"));
  EXPECT_FALSE(LooksLikeContactDetails("3 weeks, 10 days, 45 minutes"));
  EXPECT_FALSE(LooksLikeContactDetails("Samaritans on 116 123 are free"));
  EXPECT_FALSE(LooksLikeContactDetails("a reference ABC1234567890 from the clinic"));
  EXPECT_FALSE(LooksLikeContactDetails("it went up 1234567890%"));
  EXPECT_FALSE(LooksLikeContactDetails(""));
}

TEST(LooksLikeContactDetails, LeavesFreeHelplineNumbersAlone) {
  // Organisations', not people's: sharing one with someone who struggles is kindness, not oversharing.
  EXPECT_FALSE(LooksLikeContactDetails("TelefonSeelsorge: 0800 111 0 111"));
  EXPECT_FALSE(LooksLikeContactDetails("Kids Help Phone 1-800-668-6868"));
  EXPECT_FALSE(LooksLikeContactDetails("Pieta 1800 247 247"));
}

class PersonalTest : public ForumTest {
 protected:
  // A question by `asker` with one reply each by `others`, as the viewer sees the topic.
  TopicView Show(const Viewer& viewer, TopicId topic) {
    auto view = forum_->ShowTopic(viewer, topic, 1);
    EXPECT_TRUE(view.ok()) << (view.ok() ? "" : view.error().message);
    return std::move(view).value();
  }
};

TEST_F(PersonalTest, BlockedAuthorsPostsAreLeftOutForTheBlockerOnly) {
  Viewer ann = Member("ann"), bob = Member("bob"), cat = Member("cat");
  TopicId topic = AskSomething(ann);
  ASSERT_TRUE(forum_->Reply(bob, topic, {"From bob"}).ok());
  EXPECT_FALSE(Show(bob, topic).reply_blocked) << "seen, and kept until the feed moves";
  ASSERT_TRUE(forum_->Block(ann, "BOB").ok());
  ASSERT_TRUE(forum_->Block(ann, "bob").ok()) << "blocking twice changes nothing";

  TopicView seen = Show(ann, topic);
  ASSERT_EQ(seen.display.size(), 2u);
  EXPECT_TRUE(seen.display[1].blocked_author);
  EXPECT_TRUE(seen.posts[1].body_markdown.empty()) << "no text to leak";
  EXPECT_FALSE(Show(cat, topic).display[1].blocked_author);
  EXPECT_EQ(Show(cat, topic).posts[1].body_markdown, "From bob");

  // Bob can no longer reply to Ann's topic; the page knows.
  EXPECT_TRUE(Show(bob, topic).reply_blocked);
  EXPECT_EQ(forum_->Reply(bob, topic, {"Again"}).error().code, ErrorCode::kForbidden);

  auto blocked = forum_->BlockedMembers(ann);
  ASSERT_TRUE(blocked.ok());
  ASSERT_EQ(blocked->size(), 1u);
  EXPECT_EQ(blocked->front().username, "bob");
  ASSERT_TRUE(forum_->Unblock(ann, "bob").ok());
  EXPECT_FALSE(Show(ann, topic).display[1].blocked_author);
  EXPECT_FALSE(Show(bob, topic).reply_blocked);
  EXPECT_TRUE(forum_->Reply(bob, topic, {"Again"}).ok());
}

TEST_F(PersonalTest, NobodyBlocksThemselvesOrTheModerators) {
  Viewer ann = Member("ann");
  EXPECT_EQ(forum_->Block(ann, "ann").error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(forum_->Block(ann, "admin").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(forum_->Block(ann, "nobody").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->Block(Visitor(), "ann").error().code, ErrorCode::kUnauthenticated);
}

TEST_F(PersonalTest, AnAnonymousQuestionOrReplyIsNeverLeftOutForABlock) {
  // Leaving it out, or refusing a reply, would tell the blocker (or the blocked) who wrote it.
  Viewer ann = Member("ann"), bob = Member("bob");
  ASSERT_TRUE(forum_->Block(ann, "bob").ok());
  auto asked = forum_->Ask(ann, {category_, "Something I cannot say with my name", "Words.", true, ""});
  ASSERT_TRUE(asked.ok());
  EXPECT_FALSE(Show(bob, asked->first.id).reply_blocked);
  ASSERT_TRUE(forum_->Reply(bob, asked->first.id, {"From bob, anonymously", std::nullopt, true, ""}).ok());
  EXPECT_FALSE(Show(ann, asked->first.id).display[1].blocked_author);
}

// Pages and the reader's controls are kept between changes: a block or a muted word applies to
// the very next page, through a session signed in before it.
TEST_F(PersonalTest, ControlsApplyToTheNextPageAfterTheyChange) {
  Viewer ann = Member("ann"), bob = Member("bob");
  TopicId topic = AskSomething(ann);
  ASSERT_TRUE(forum_->Reply(bob, topic, {"The rent went up again"}).ok());
  ASSERT_TRUE(forum_->Register(Visitor(), {"cyd", "a long enough password", ""}).ok());
  auto signed_in = forum_->LogIn(Visitor(), "cyd", "a long enough password");
  ASSERT_TRUE(signed_in.ok());
  auto viewer_now = [&] { return forum_->Authenticate(signed_in->token, "127.0.0.1"); };

  EXPECT_FALSE(Show(viewer_now(), topic).display[1].blocked_author);
  EXPECT_FALSE(Show(viewer_now(), topic).display[1].blocked_author) << "read again, from what was kept";
  ASSERT_TRUE(forum_->SetMutedWords(viewer_now(), {"rent"}).ok());
  EXPECT_EQ(Show(viewer_now(), topic).display[1].muted_word, "rent");
  ASSERT_TRUE(forum_->Block(viewer_now(), "bob").ok());
  EXPECT_TRUE(Show(viewer_now(), topic).display[1].blocked_author);
  ASSERT_TRUE(forum_->Unblock(viewer_now(), "bob").ok());
  EXPECT_FALSE(Show(viewer_now(), topic).display[1].blocked_author);
  ASSERT_TRUE(forum_->LogOut(viewer_now()).ok());
  EXPECT_FALSE(viewer_now().signed_in());
}

TEST_F(PersonalTest, UnblockingAndMutingAreRateLimitedPerMemberButBlockingNever) {
  RateLimits strict = limits_;
  strict.personal_controls_per_account = {3, 1.0 / 10};
  auto forum = ForumWith(strict);
  Viewer ana = Member("anna");
  Member("bob");
  ASSERT_TRUE(forum->Block(ana, "bob").ok());
  ASSERT_TRUE(forum->Unblock(ana, "bob").ok());
  ASSERT_TRUE(forum->SetMutedWords(ana, {"relapse"}).ok());
  ASSERT_TRUE(forum->Block(ana, "bob").ok());
  ASSERT_TRUE(forum->Unblock(ana, "bob").ok());
  auto limited = forum->Unblock(ana, "bob");
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(limited.error().retry_after_seconds, 10);
  EXPECT_EQ(forum->SetMutedWords(ana, {"relapse", "scales"}).error().code, ErrorCode::kRateLimited);
  // Someone targeted by many accounts at once can always block the next one.
  for (const char* name : {"troll1", "troll2", "troll3", "troll4", "troll5"}) {
    Member(name);
    EXPECT_TRUE(forum->Block(ana, name).ok()) << name;
  }
  EXPECT_TRUE(forum->Unblock(Member("cyd"), "bob").ok()) << "each member has their own allowance";
  clock_.Advance(10);
  EXPECT_TRUE(forum->Unblock(ana, "bob").ok());
}

TEST_F(PersonalTest, MutedWordsMatchWholeWordsIgnoringCase) {
  Viewer ann = Member("ann"), bob = Member("bob");
  TopicId topic = AskSomething(bob);
  ASSERT_TRUE(forum_->Reply(bob, topic, {"The DIVORCE came through."}).ok());
  ASSERT_TRUE(forum_->Reply(bob, topic, {"They divorced years ago."}).ok());
  ASSERT_TRUE(forum_->Reply(bob, topic, {"A panic attack, then calm."}).ok());
  ASSERT_TRUE(forum_->SetMutedWords(ann, {" divorce ", "Divorce", "", "panic attack"}).ok());
  EXPECT_EQ(forum_->Me(ann)->muted_words, "divorce\npanic attack");

  TopicView seen = Show(ann, topic);
  EXPECT_EQ(seen.display[1].muted_word, "divorce");
  EXPECT_TRUE(seen.display[2].muted_word.empty()) << "divorced is another word";
  EXPECT_EQ(seen.display[3].muted_word, "panic attack");
  EXPECT_FALSE(seen.posts[1].body_markdown.empty()) << "muted is folded, not removed";
  EXPECT_TRUE(Show(bob, topic).display[1].muted_word.empty()) << "one's own posts never fold";
}

TEST_F(PersonalTest, MutedWordLimitsHoldAtTheirBoundaries) {
  Viewer ann = Member("ann");
  EXPECT_TRUE(forum_->SetMutedWords(ann, {std::string(kMutedWordMax, 'a')}).ok());
  auto long_word = forum_->SetMutedWords(ann, {std::string(kMutedWordMax + 1, 'a')});
  ASSERT_FALSE(long_word.ok());
  EXPECT_EQ(long_word.error().field, "muted_words");
  std::vector<std::string> many;
  for (std::size_t i = 0; i < kMaxMutedWords; ++i) many.push_back("word" + std::to_string(i));
  EXPECT_TRUE(forum_->SetMutedWords(ann, many).ok());
  many.push_back("one more");
  EXPECT_EQ(forum_->SetMutedWords(ann, many).error().code, ErrorCode::kInvalidInput);
}

TEST_F(PersonalTest, ContentWarningsCollapseUnlessTheReaderAlwaysShowsThem) {
  Viewer ann = Member("ann"), bob = Member("bob");
  TopicId topic = AskSomething(bob);
  ASSERT_TRUE(forum_->Reply(bob, topic, {"My dad died in May.", std::nullopt, false, "grief"}).ok());
  EXPECT_TRUE(Show(ann, topic).display[1].collapsed_warning);
  EXPECT_TRUE(Show(Visitor(), topic).display[1].collapsed_warning);
  EXPECT_FALSE(Show(bob, topic).display[1].collapsed_warning);
  ASSERT_TRUE(forum_->SetShowWarnedPosts(ann, true).ok());
  EXPECT_FALSE(Show(ann, topic).display[1].collapsed_warning);
  EXPECT_EQ(Show(ann, topic).posts[1].content_warning, "grief");
}

TEST_F(PersonalTest, AHiddenPostIsAPlaceholderForEveryoneButItsWriterAndModerators) {
  Viewer ann = Member("ann"), bob = Member("bob");
  TopicId topic = AskSomething(ann);
  auto reply = forum_->Reply(bob, topic, {"Words a moderator should look at."});
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(store_->SetPostHidden(reply->id, clock_.Now(), "flags").ok());

  TopicView seen = Show(ann, topic);
  EXPECT_TRUE(seen.display[1].hidden);
  EXPECT_TRUE(seen.posts[1].body_markdown.empty());
  EXPECT_TRUE(seen.posts[1].body_html.empty());
  EXPECT_TRUE(Show(Visitor(), topic).display[1].hidden);
  EXPECT_FALSE(Show(bob, topic).display[1].hidden);
  EXPECT_TRUE(Show(bob, topic).display[1].own);
  EXPECT_FALSE(Show(admin_, topic).display[1].hidden);
  EXPECT_EQ(Show(admin_, topic).posts[1].body_markdown, "Words a moderator should look at.");
}

TEST_F(PersonalTest, AProfileShowsAnonymousPostsOnlyToTheirWriter) {
  Viewer ann = Member("ann"), bob = Member("bob");
  ASSERT_TRUE(forum_->Ask(ann, {category_, "A question with my name on it", "Words."}).ok());
  ASSERT_TRUE(forum_->Ask(ann, {category_, "A question I ask anonymously", "Words.", true, ""}).ok());
  auto others = forum_->Profile(bob, "ann", 1);
  ASSERT_TRUE(others.ok());
  EXPECT_EQ(others->post_count, 1);
  ASSERT_EQ(others->posts.size(), 1u);
  EXPECT_FALSE(others->posts[0].anonymous);
  EXPECT_EQ(forum_->Profile(admin_, "ann", 1)->post_count, 1) << "moderators reveal only through a logged reveal";
  auto own = forum_->Profile(ann, "ann", 1);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->post_count, 2);
  EXPECT_EQ(own->display.size(), 2u);
}

}  // namespace
}  // namespace kindred::forum
