// The domain through its public face, on a real SQLite store in a temporary directory.
#include "forum/forum.h"

#include <gtest/gtest.h>

#include <set>

#include "forum/forum_test_fixture.h"
#include "forum/guardian.h"
#include "forum/limits.h"

namespace kindred::forum {
namespace {

TEST_F(ForumTest, UsernameLengthBoundaries) {
  EXPECT_FALSE(forum_->Register(Visitor(), {"ab", "a long enough password", ""}).ok());
  EXPECT_TRUE(forum_->Register(Visitor(), {"abc", "a long enough password", ""}).ok());
  EXPECT_TRUE(forum_->Register(Visitor(), {std::string(30, 'x'), "a long enough password", ""}).ok());
  auto too_long = forum_->Register(Visitor(), {std::string(31, 'y'), "a long enough password", ""});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().field, "username");
}

TEST_F(ForumTest, UsernameCharactersAndCaseInsensitiveUniqueness) {
  EXPECT_FALSE(forum_->Register(Visitor(), {"has space", "a long enough password", ""}).ok());
  EXPECT_FALSE(forum_->Register(Visitor(), {"caf\xC3\xA9", "a long enough password", ""}).ok());
  EXPECT_TRUE(forum_->Register(Visitor(), {"Ann_Lee-2", "a long enough password", ""}).ok());
  auto clash = forum_->Register(Visitor(), {"ann_lee-2", "a long enough password", ""});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(clash.error().field, "username");
}

TEST_F(ForumTest, PasswordLengthBoundary) {
  auto short_password = forum_->Register(Visitor(), {"shorty", "123456789", ""});
  ASSERT_FALSE(short_password.ok());
  EXPECT_EQ(short_password.error().field, "password");
  EXPECT_TRUE(forum_->Register(Visitor(), {"longer", "1234567890", ""}).ok());
}

TEST_F(ForumTest, EmailIsOptionalButMustLookLikeOne) {
  EXPECT_TRUE(forum_->Register(Visitor(), {"noemail", "a long enough password", ""}).ok());
  EXPECT_TRUE(forum_->Register(Visitor(), {"withemail", "a long enough password", "me@example.org"}).ok());
  auto bad = forum_->Register(Visitor(), {"bademail", "a long enough password", "not-an-email"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "email");
}

TEST_F(ForumTest, WrongPasswordAndUnknownNameFailAlike) {
  Member("ann");
  auto wrong = forum_->LogIn(Visitor(), "ann", "not the password");
  auto unknown = forum_->LogIn(Visitor(), "nobody", "not the password");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(ForumTest, SignInIsRateLimitedPerAccount) {
  RateLimits strict = limits_;
  strict.login_per_account = {2, 1.0 / 60};
  Forum forum(*store_, clock_, strict);
  ASSERT_TRUE(forum.Register(Visitor(), {"bea", "a long enough password", ""}).ok());
  EXPECT_FALSE(forum.LogIn(Visitor(), "bea", "wrong guess 1").ok());
  EXPECT_FALSE(forum.LogIn(Visitor(), "BEA", "wrong guess 2").ok());
  auto limited = forum.LogIn(Visitor(), "bea", "a long enough password");
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(limited.error().retry_after_seconds, 60);
  EXPECT_NE(limited.error().message.find("60 seconds"), std::string::npos);
  clock_.Advance(60);
  EXPECT_TRUE(forum.LogIn(Visitor(), "bea", "a long enough password").ok());
}

TEST_F(ForumTest, SessionsEndOnLogOutAndEverywhere) {
  ASSERT_TRUE(forum_->Register(Visitor(), {"cal", "a long enough password", ""}).ok());
  auto first = forum_->LogIn(Visitor(), "cal", "a long enough password");
  auto second = forum_->LogIn(Visitor(), "cal", "a long enough password");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->token, second->token);
  Viewer on_phone = forum_->Authenticate(first->token, "127.0.0.1");
  ASSERT_TRUE(on_phone.signed_in());
  EXPECT_FALSE(on_phone.csrf_token.empty());
  ASSERT_TRUE(forum_->LogOut(on_phone).ok());
  EXPECT_FALSE(forum_->Authenticate(first->token, "127.0.0.1").signed_in());
  EXPECT_TRUE(forum_->Authenticate(second->token, "127.0.0.1").signed_in());

  auto third = forum_->LogIn(Visitor(), "cal", "a long enough password");
  ASSERT_TRUE(forum_->LogOutEverywhere(forum_->Authenticate(third->token, "127.0.0.1")).ok());
  EXPECT_FALSE(forum_->Authenticate(second->token, "127.0.0.1").signed_in());
  EXPECT_FALSE(forum_->Authenticate(third->token, "127.0.0.1").signed_in());
}

TEST_F(ForumTest, ChangingThePasswordNeedsTheCurrentOneAndEndsEveryOtherSession) {
  ASSERT_TRUE(forum_->Register(Visitor(), {"eve", "a long enough password", ""}).ok());
  auto laptop = forum_->LogIn(Visitor(), "eve", "a long enough password");
  auto phone = forum_->LogIn(Visitor(), "eve", "a long enough password");
  Viewer here = forum_->Authenticate(laptop->token, "127.0.0.1");

  auto wrong = forum_->ChangePassword(here, "not my password", "a brand new passphrase");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().field, "current_password");
  auto short_one = forum_->ChangePassword(here, "a long enough password", "short");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().field, "new_password");
  EXPECT_EQ(forum_->ChangePassword(Visitor(), "a long enough password", "a brand new passphrase").error().code,
            ErrorCode::kUnauthenticated);

  auto changed = forum_->ChangePassword(here, "a long enough password", "a brand new passphrase");
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_FALSE(forum_->Authenticate(phone->token, "127.0.0.1").signed_in()) << "someone may know the old one";
  EXPECT_FALSE(forum_->Authenticate(laptop->token, "127.0.0.1").signed_in());
  EXPECT_TRUE(forum_->Authenticate(changed->token, "127.0.0.1").signed_in()) << "this device stays signed in";
  EXPECT_FALSE(forum_->LogIn(Visitor(), "eve", "a long enough password").ok());
  EXPECT_TRUE(forum_->LogIn(Visitor(), "eve", "a brand new passphrase").ok());
}

TEST_F(ForumTest, GuessingTheCurrentPasswordIsLimitedLikeSigningIn) {
  RateLimits strict = limits_;
  strict.login_per_account = {2, 1.0 / 60};
  Forum forum(*store_, clock_, strict);
  ASSERT_TRUE(forum.Register(Visitor(), {"fay", "a long enough password", ""}).ok());
  Viewer fay = forum.Authenticate(forum.LogIn(Visitor(), "fay", "a long enough password")->token, "127.0.0.1");
  // Someone else failing to sign in as fay does not stop her changing the password they may know.
  EXPECT_FALSE(forum.LogIn(Visitor(), "fay", "guess one").ok());
  EXPECT_FALSE(forum.LogIn(Visitor(), "fay", "guess two").ok());
  EXPECT_EQ(forum.LogIn(Visitor(), "fay", "guess three").error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(forum.ChangePassword(fay, "guess one", "a brand new passphrase").error().field, "current_password");
  EXPECT_EQ(forum.ChangePassword(fay, "guess two", "a brand new passphrase").error().field, "current_password");
  auto limited = forum.ChangePassword(fay, "a long enough password", "a brand new passphrase");
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
}

TEST_F(ForumTest, AResetPasswordSignsTheMemberOutEverywhere) {
  ASSERT_TRUE(forum_->Register(Visitor(), {"gus", "a long enough password", ""}).ok());
  auto session = forum_->LogIn(Visitor(), "gus", "a long enough password");
  EXPECT_EQ(forum_->ResetPassword("nobody", "a brand new passphrase").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->ResetPassword("gus", "short").error().code, ErrorCode::kInvalidInput);
  ASSERT_TRUE(forum_->ResetPassword(" gus ", "a brand new passphrase").ok());
  EXPECT_FALSE(forum_->Authenticate(session->token, "127.0.0.1").signed_in());
  EXPECT_TRUE(forum_->LogIn(Visitor(), "gus", "a brand new passphrase").ok());
}

TEST_F(ForumTest, ABlankSignInAsksForBothRatherThanSayingTheyDoNotMatch) {
  auto blank = forum_->LogIn(Visitor(), "  ", "");
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(blank.error().field, "username");
  EXPECT_EQ(blank.error().message, "Please enter your username and your password.");
  EXPECT_EQ(forum_->LogIn(Visitor(), "admin", "").error().field, "password");
}

TEST_F(ForumTest, SessionsExpire) {
  ASSERT_TRUE(forum_->Register(Visitor(), {"dee", "a long enough password", ""}).ok());
  auto signed_in = forum_->LogIn(Visitor(), "dee", "a long enough password");
  clock_.Advance(kSessionLifetimeSeconds + 1);
  EXPECT_FALSE(forum_->Authenticate(signed_in->token, "127.0.0.1").signed_in());
}

TEST_F(ForumTest, TitleLengthBoundariesCountCharactersNotBytes) {
  Viewer ann = Member("ann");
  auto too_short = forum_->Ask(ann, {category_, "1234567", "body"});
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.error().field, "title");
  EXPECT_EQ(too_short.error().key, "title_too_short");
  EXPECT_TRUE(forum_->Ask(ann, {category_, "12345678", "body"}).ok());
  std::string hearts;
  for (int i = 0; i < 150; ++i) hearts += "\xE2\x9D\xA4";  // 150 characters, 450 bytes
  EXPECT_TRUE(forum_->Ask(ann, {category_, hearts, "body"}).ok());
  auto too_long = forum_->Ask(ann, {category_, hearts + "x", "body"});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().key, "title_too_long");
}

TEST_F(ForumTest, BodyLengthBoundariesAndEmptyBodies) {
  Viewer ann = Member("ann");
  EXPECT_TRUE(forum_->Ask(ann, {category_, "A long question", std::string(kBodyMax, 'a')}).ok());
  auto too_long = forum_->Ask(ann, {category_, "A long question", std::string(kBodyMax + 1, 'a')});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().field, "body");
  auto empty = forum_->Ask(ann, {category_, "An empty question", "  \n\t "});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().key, "body_empty");
}

TEST_F(ForumTest, BrowserLineEndingsAreAcceptedAndStoredAsNewlines) {
  Viewer ann = Member("ann");
  auto asked = forum_->Ask(
      ann, {category_, "A question typed in a browser", "First line.\r\nSecond line.\r\n\r\nNew paragraph."});
  ASSERT_TRUE(asked.ok()) << asked.error().message;
  EXPECT_EQ(asked->second.body_markdown, "First line.\nSecond line.\n\nNew paragraph.");
  auto described = forum_->UpdateCategory(admin_, category_, {"Therapy", "Line one.\r\nLine two."});
  ASSERT_TRUE(described.ok()) << described.error().message;
  EXPECT_EQ(described->description, "Line one.\nLine two.");
}

TEST_F(ForumTest, VisitorsCannotWrite) {
  TopicId topic = AskSomething(Member("ann"));
  auto asked = forum_->Ask(Visitor(), {category_, "A visitor question", "body"});
  ASSERT_FALSE(asked.ok());
  EXPECT_EQ(asked.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(forum_->Reply(Visitor(), topic, {"hello", {}}).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(ForumTest, RepliesGoInOrderAndCount) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  TopicId topic = AskSomething(ann);
  auto first = forum_->Reply(bob, topic, {"Therapy hangover is real.", {}});
  auto second = forum_->Reply(ann, topic, {"Thank you.", first->id});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->number, 2);
  EXPECT_EQ(second->number, 3);
  auto view = forum_->ShowTopic(bob, topic, 1);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->topic.reply_count, 2);
  ASSERT_EQ(view->posts.size(), 3u);
  EXPECT_EQ(view->posts[1].body_markdown, "Therapy hangover is real.");
  EXPECT_EQ(view->posts[2].reply_to, first->id);
}

TEST_F(ForumTest, ReplyToAPostOfAnotherTopicIsRefused) {
  Viewer ann = Member("ann");
  TopicId one = AskSomething(ann, "The first question");
  TopicId two = AskSomething(ann, "The second question");
  auto elsewhere = forum_->Reply(ann, one, {"answer", {}});
  auto wrong = forum_->Reply(ann, two, {"quoting", elsewhere->id});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().field, "reply_to");
}

TEST_F(ForumTest, ClosedTopicsTakeNoReplies) {
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann);
  TopicStateInput close;
  close.closed = true;
  EXPECT_EQ(forum_->ModerateTopic(ann, topic, close).error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(forum_->ModerateTopic(admin_, topic, close).ok());
  auto reply = forum_->Reply(ann, topic, {"one more thing", {}});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kConflict);
  EXPECT_EQ(reply.error().key, "topic_closed");
}

TEST_F(ForumTest, TheWriterIsToldWhenTheirQuestionIsClosedOpenedOrMovedButNotPinned) {
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann, "Anyone else awake at 4am?");
  auto notices_of = [&](const Viewer& viewer) { return forum_->Notices(viewer, 1).value(); };
  TopicStateInput pin;
  pin.pinned = true;
  ASSERT_TRUE(forum_->ModerateTopic(admin_, topic, pin).ok());
  EXPECT_TRUE(notices_of(ann).empty()) << "pinning takes nothing from the writer";

  TopicStateInput close;
  close.closed = true;
  close.reason = "  The conversation has moved to the weekly sleep thread.  ";
  ASSERT_TRUE(forum_->ModerateTopic(admin_, topic, close).ok());
  auto told = notices_of(ann);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told.front().kind, "moderation");
  EXPECT_EQ(told.front().title, "A moderator closed your question to new replies");
  EXPECT_NE(told.front().body_html.find("Anyone else awake at 4am?"), std::string::npos);
  EXPECT_NE(told.front().body_html.find("Their note: The conversation has moved"), std::string::npos);
  EXPECT_EQ(told.front().link, "/t/" + std::to_string(topic.value));
  EXPECT_EQ(forum_->Modlog(admin_, 1)->front().reason, "The conversation has moved to the weekly sleep thread.");

  auto other = forum_->CreateCategory(admin_, {"Sleep", "Nights and rest"});
  TopicStateInput open_and_move;
  open_and_move.closed = false;
  open_and_move.category_id = other->id;
  ASSERT_TRUE(forum_->ModerateTopic(admin_, topic, open_and_move).ok());
  told = notices_of(ann);
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told.front().title, "Your question is open to replies again");
  EXPECT_NE(told.front().body_html.find("the category &quot;Sleep&quot;"), std::string::npos) << told.front().body_html;

  // A moderator's own question: nothing to tell them.
  TopicId own = AskSomething(admin_, "A moderator's question");
  ASSERT_TRUE(forum_->ModerateTopic(admin_, own, close).ok());
  EXPECT_TRUE(notices_of(admin_).empty());

  TopicStateInput wordy = close;
  wordy.reason = std::string(2001, 'x');
  auto refused = forum_->ModerateTopic(admin_, topic, wordy);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().key, "note_too_long");
}

TEST_F(ForumTest, PinnedTopicsComeFirstAndMovesChangeCategory) {
  Viewer ann = Member("ann");
  TopicId older = AskSomething(ann, "The older question");
  clock_.Advance(60);
  TopicId newer = AskSomething(ann, "The newer question");
  auto before = forum_->CategoryTopics(category_, 1);
  EXPECT_EQ(before->topics.front().id, newer);
  TopicStateInput pin;
  pin.pinned = true;
  ASSERT_TRUE(forum_->ModerateTopic(admin_, older, pin).ok());
  auto after = forum_->CategoryTopics(category_, 1);
  EXPECT_EQ(after->topics.front().id, older);

  auto other = forum_->CreateCategory(admin_, {"Caring", "For carers"});
  TopicStateInput move;
  move.category_id = other->id;
  ASSERT_TRUE(forum_->ModerateTopic(admin_, newer, move).ok());
  auto log = forum_->Modlog(admin_, 1);
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->front().action, "topic.moderated") << "moving is on the record";
  EXPECT_NE(log->front().after.find("category " + std::to_string(other->id.value)), std::string::npos);
  EXPECT_EQ(forum_->CategoryTopics(other->id, 1)->topics.size(), 1u);
  EXPECT_EQ(forum_->CategoryTopics(category_, 1)->topics.size(), 1u);
}

TEST_F(ForumTest, EditsKeepEveryRevision) {
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann);
  auto post = forum_->Reply(ann, topic, {"first words", {}});
  clock_.Advance(30);
  ASSERT_TRUE(forum_->EditPost(ann, post->id, "second words").ok());
  clock_.Advance(30);
  auto edited = forum_->EditPost(ann, post->id, "third *words*");
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->edited_at, clock_.Now());
  EXPECT_NE(edited->body_html.find("<em>words</em>"), std::string::npos);
  auto revisions = forum_->Revisions(ann, post->id);
  ASSERT_TRUE(revisions.ok());
  ASSERT_EQ(revisions->size(), 3u);
  std::set<std::string> texts;
  for (const auto& revision : *revisions) texts.insert(revision.body_markdown);
  EXPECT_EQ(texts, (std::set<std::string>{"first words", "second words", "third *words*"}));
}

TEST_F(ForumTest, WhatAnEditTookBackStaysWithTheWriterAndTheModerators) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  TopicId topic = AskSomething(ann);
  auto post = forum_->Reply(ann, topic, {"My ex is Sam Jones from Leeds.", {}});
  ASSERT_TRUE(forum_->EditPost(ann, post->id, "My ex.").ok());
  EXPECT_EQ(forum_->Revisions(Visitor(), post->id).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(forum_->Revisions(bob, post->id).error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(Guardian::CanSeeRevisions(bob, *forum_->FindPost(post->id)).ok());
  ASSERT_TRUE(forum_->Revisions(ann, post->id).ok());
  EXPECT_EQ(forum_->Revisions(admin_, post->id)->front().body_markdown, "My ex is Sam Jones from Leeds.");
}

TEST_F(ForumTest, APostInAHiddenConversationIsNotFoundOnItsOwnOrOnAProfile) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  Viewer cat = Member("cat");
  TopicId topic = AskSomething(ann, "My therapist at the Elm Street clinic");
  auto question = forum_->ShowTopic(ann, topic, 1)->posts.front();
  auto reply = forum_->Reply(bob, topic, {"I know that clinic well.", {}});
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(forum_->ReadPost(cat, reply->id).ok());
  ASSERT_EQ(forum_->Profile(cat, "bob", 1)->posts.size(), 1u);

  ASSERT_TRUE(store_->SetPostHidden(question.id, clock_.Now(), "flags").ok());
  for (const Viewer& outsider : {Visitor(), cat}) {
    EXPECT_EQ(forum_->ReadPost(outsider, reply->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(forum_->Revisions(outsider, reply->id).error().code, ErrorCode::kNotFound);
    auto profile = forum_->Profile(outsider, "bob", 1);
    ASSERT_TRUE(profile.ok());
    EXPECT_TRUE(profile->posts.empty()) << "the reply would carry the hidden question's title";
    EXPECT_EQ(profile->post_count, 0);
  }
  EXPECT_EQ(forum_->React(cat, reply->id, store::ReactionKind::kHug).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->Unreact(cat, reply->id, store::ReactionKind::kHug).error().code, ErrorCode::kNotFound)
      << "its answer would carry the post";
  EXPECT_EQ(forum_->FlagPost(cat, reply->id, "other", "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->ReportWorry(cat, reply->id, "").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(forum_->ReadPost(ann, reply->id).ok()) << "the asker still opens their conversation";
  EXPECT_TRUE(forum_->ReadPost(admin_, reply->id).ok());
  EXPECT_EQ(forum_->Profile(bob, "bob", 1)->posts.size(), 1u) << "their own profile lists it";
}

TEST_F(ForumTest, AModeratorsEditOfSomeoneElsesPostIsLoggedAndTheWriterTold) {
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann);
  auto post = forum_->Reply(ann, topic, {"My number is 07700 900123.", {}});
  ASSERT_TRUE(forum_->EditPost(ann, post->id, "My number is private.").ok());
  EXPECT_TRUE(forum_->Modlog(admin_, 1)->empty()) << "a writer's own edit is no moderation";
  ASSERT_TRUE(forum_->EditPost(admin_, post->id, "[details removed by a moderator]").ok());
  auto log = forum_->Modlog(admin_, 1);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->front().action, "post.edited_by_moderator");
  EXPECT_EQ(log->front().subject_id, post->id.value);
  auto told = forum_->Notices(ann, 1);
  ASSERT_EQ(told->size(), 1u);
  EXPECT_EQ(told->front().title, "A moderator edited one of your posts");
}

TEST_F(ForumTest, OnlyTheAuthorEditsAndDeletes) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  TopicId topic = AskSomething(ann);
  auto post = forum_->Reply(ann, topic, {"mine", {}});
  EXPECT_EQ(forum_->EditPost(bob, post->id, "not yours").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(forum_->DeletePost(bob, post->id).error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(Guardian::MayEdit(bob, *post));
  EXPECT_TRUE(Guardian::MayEdit(ann, *post));
}

TEST_F(ForumTest, DeletedPostKeepsItsPlaceButNotItsText) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  TopicId topic = AskSomething(ann);
  auto post = forum_->Reply(bob, topic, {"a private detail", {}});
  auto after = forum_->Reply(ann, topic, {"a later reply", {}});
  ASSERT_TRUE(forum_->DeletePost(bob, post->id).ok());
  auto view = forum_->ShowTopic(ann, topic, 1);
  ASSERT_EQ(view->posts.size(), 3u);
  EXPECT_TRUE(view->posts[1].deleted_at.has_value());
  EXPECT_EQ(view->posts[1].body_markdown, "");
  EXPECT_EQ(view->topic.reply_count, 1);
  EXPECT_EQ(forum_->EditPost(bob, post->id, "again").error().code, ErrorCode::kConflict);
  EXPECT_EQ(forum_->Revisions(Visitor(), post->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(view->posts[2].id, after->id);
}

TEST_F(ForumTest, ReactionsOncePerPersonAndNotOnYourOwn) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  TopicId topic = AskSomething(ann);
  auto question = forum_->ShowTopic(ann, topic, 1)->posts.front();
  EXPECT_EQ(forum_->React(ann, question.id, store::ReactionKind::kHug).error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(forum_->React(bob, question.id, store::ReactionKind::kHug).ok());
  auto twice = forum_->React(bob, question.id, store::ReactionKind::kHug);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->reactions[static_cast<int>(store::ReactionKind::kHug)], 1);
  ASSERT_TRUE(forum_->React(bob, question.id, store::ReactionKind::kMeToo).ok());
  auto view = forum_->ShowTopic(bob, topic, 1);
  EXPECT_TRUE(view->own_reactions[0][static_cast<int>(store::ReactionKind::kHug)]);
  EXPECT_FALSE(view->own_reactions[0][static_cast<int>(store::ReactionKind::kHelpful)]);
  auto taken_back = forum_->Unreact(bob, question.id, store::ReactionKind::kHug);
  EXPECT_EQ(taken_back->reactions[static_cast<int>(store::ReactionKind::kHug)], 0);
  EXPECT_EQ(taken_back->reactions[static_cast<int>(store::ReactionKind::kMeToo)], 1);
}

TEST_F(ForumTest, PostingIsRateLimitedAndRecovers) {
  RateLimits strict = limits_;
  strict.post_per_account = {2, 1.0 / 10};
  Forum forum(*store_, clock_, strict);
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann);
  EXPECT_TRUE(forum.Reply(ann, topic, {"one", {}}).ok());
  EXPECT_TRUE(forum.Reply(ann, topic, {"two", {}}).ok());
  auto third = forum.Reply(ann, topic, {"three", {}});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(third.error().retry_after_seconds, 10);
  clock_.Advance(10);
  EXPECT_TRUE(forum.Reply(ann, topic, {"three", {}}).ok());
}

TEST_F(ForumTest, SharedRateLimitsHoldAcrossNodes) {
  // Two forums on one store stand for two nodes on one database: with limits in memory each
  // node would allow the burst; shared through the store, the two together allow it once.
  RateLimits strict = limits_;
  strict.post_per_account = {2, 1.0 / 10};
  Forum node_a(*store_, clock_, strict);
  Forum node_b(*store_, clock_, strict);
  ASSERT_TRUE(node_a.ShareRateLimitsThroughStore().ok());
  ASSERT_TRUE(node_b.ShareRateLimitsThroughStore().ok());
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann);
  EXPECT_TRUE(node_a.Reply(ann, topic, {"one", {}}).ok());
  EXPECT_TRUE(node_b.Reply(ann, topic, {"two", {}}).ok());
  auto third = node_a.Reply(ann, topic, {"three", {}});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(third.error().retry_after_seconds, 10);
  clock_.Advance(10);
  EXPECT_TRUE(node_b.Reply(ann, topic, {"three", {}}).ok());
  // What the store keeps names neither the account nor the address: ann's bucket is spent, yet
  // under its plain key the store has a fresh one.
  const std::string plain_key = "post:user:" + std::to_string(ann.member->id.value);
  auto fresh = store_->TakeRateToken(plain_key, 1, 1e-9, static_cast<double>(clock_.Now()));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, 0) << "a bucket under the plain key was found: the key was stored unhashed";
}

TEST_F(ForumTest, OnlyAdminsManageCategories) {
  Viewer ann = Member("ann");
  EXPECT_EQ(forum_->CreateCategory(ann, {"Mine", ""}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(forum_->CreateCategory(Visitor(), {"Mine", ""}).error().code, ErrorCode::kUnauthenticated);
  auto duplicate = forum_->CreateCategory(admin_, {"therapy", ""});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
}

TEST_F(ForumTest, CategoriesRenameReorderAndArchive) {
  auto second = forum_->CreateCategory(admin_, {"Caring", "For carers"});
  ASSERT_TRUE(forum_->MoveCategory(admin_, second->id, -1).ok());
  auto order = forum_->Categories(admin_, false);
  ASSERT_EQ(order->size(), 2u);
  EXPECT_EQ(order->front().name, "Caring");
  auto renamed = forum_->UpdateCategory(admin_, second->id, {"Caring for someone", "New words"});
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->slug, second->slug);  // old links keep working
  ASSERT_TRUE(forum_->SetCategoryArchived(admin_, second->id, true).ok());
  EXPECT_EQ(forum_->Categories(admin_, false)->size(), 1u);
  EXPECT_EQ(forum_->Categories(admin_, true)->size(), 2u);
  auto ask = forum_->Ask(Member("ann"), {second->id, "A question in the archive", "body"});
  ASSERT_FALSE(ask.ok());
  EXPECT_EQ(ask.error().code, ErrorCode::kForbidden);
}

TEST_F(ForumTest, TopicPagesHoldTwentyPosts) {
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann);
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(forum_->Reply(ann, topic, {"reply " + std::to_string(i), {}}).ok());
  auto first = forum_->ShowTopic(ann, topic, 1);
  auto second = forum_->ShowTopic(ann, topic, 2);
  EXPECT_EQ(first->posts.size(), 20u);
  EXPECT_EQ(second->posts.size(), 6u);
  EXPECT_EQ(first->page.count, 2);
  EXPECT_EQ(second->posts.front().number, 21);
  EXPECT_EQ(forum_->ShowTopic(ann, topic, 3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Forum::PageOfPost(20), 1);
  EXPECT_EQ(Forum::PageOfPost(21), 2);
}

TEST_F(ForumTest, UnknownThingsAreNotFound) {
  EXPECT_EQ(forum_->ShowTopic(Visitor(), TopicId{999}, 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->FindPost(PostId{999}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->Profile(Visitor(), "nobody", 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->CategoryBySlug("nothing").error().code, ErrorCode::kNotFound);
}

TEST_F(ForumTest, ProfileListsAMembersPosts) {
  Viewer ann = Member("ann");
  TopicId topic = AskSomething(ann);
  ASSERT_TRUE(forum_->Reply(ann, topic, {"my reply", {}}).ok());
  auto profile = forum_->Profile(Visitor(), "ANN", 1);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->post_count, 2);
  ASSERT_EQ(profile->topics_of_posts.size(), 2u);
  EXPECT_EQ(profile->topics_of_posts[0].id, topic);
}

TEST_F(ForumTest, AStreamsViewerIsAskedAgainAtEachChange) {
  Viewer asker = Member("asker");
  auto asked = forum_->Ask(asker, {category_, "Is it normal to cry after therapy?", "It happens every week."});
  ASSERT_TRUE(asked.ok());
  const TopicId topic = asked->first.id;
  Viewer moderator = Member("mod");
  ASSERT_TRUE(forum_->SetRole(admin_, "mod", store::Role::kModerator).ok());
  // The viewer a stream opened with, before the promotion: the stream asks again and sees it.
  auto promoted = forum_->StreamViewerNow(moderator, topic);
  ASSERT_TRUE(promoted.ok());
  EXPECT_TRUE(promoted->is_moderator());

  ASSERT_TRUE(store_->SetPostHidden(asked->second.id, clock_.Now(), "flags").ok());
  EXPECT_EQ(forum_->StreamViewerNow(Visitor(), topic).error().code, ErrorCode::kNotFound)
      << "a question hidden after the stream opened sends its readers nothing more";
  EXPECT_TRUE(forum_->StreamViewerNow(asker, topic).ok()) << "its writer still reads it";
  EXPECT_TRUE(forum_->StreamViewerNow(moderator, topic).ok());

  ASSERT_TRUE(forum_->SetRole(admin_, "mod", store::Role::kMember).ok());
  EXPECT_EQ(forum_->StreamViewerNow(moderator, topic).error().code, ErrorCode::kNotFound)
      << "a moderator no longer reads what only moderators may";
  ASSERT_TRUE(forum_->LogOut(asker).ok());
  EXPECT_EQ(forum_->StreamViewerNow(asker, topic).error().code, ErrorCode::kNotFound)
      << "a session that ended reads as a visitor";

  ASSERT_TRUE(store_->SetPostHidden(asked->second.id, std::nullopt, "").ok());
  auto signed_out = forum_->StreamViewerNow(asker, topic);
  ASSERT_TRUE(signed_out.ok());
  EXPECT_FALSE(signed_out->signed_in());
  EXPECT_TRUE(signed_out->csrf_token.empty()) << "no form carries the ended session's token";
  EXPECT_EQ(forum_->StreamViewerNow(asker, TopicId{999}).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kindred::forum
