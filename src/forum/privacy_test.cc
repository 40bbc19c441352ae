// Privacy and leaving: the export holds everything a member wrote and nothing secret; deletion
// asks for the password, never leaves the community without an admin, and signs out everywhere.
#include "forum/forum_test_fixture.h"

namespace kindred::forum {
namespace {

class PrivacyTest : public ForumTest {};

TEST_F(PrivacyTest, TheExportHoldsAnonymousPostsReactionsAndBlocks) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  Member("cat");
  auto named = forum_->Ask(ann, {category_, "Is it normal to cry after therapy?", "Every week on the bus."});
  ASSERT_TRUE(named.ok());
  AskInput secret{category_, "Something I can't say with my name", "My family must not know.", true, ""};
  auto anonymous = forum_->Ask(ann, secret);
  ASSERT_TRUE(anonymous.ok()) << anonymous.error().message;
  auto bobs = forum_->Ask(bob, {category_, "Grief on birthdays is hard", "The first one without her."});
  ASSERT_TRUE(bobs.ok());
  ASSERT_TRUE(forum_->React(ann, bobs->second.id, store::ReactionKind::kHug).ok());
  ASSERT_TRUE(forum_->Block(ann, "cat").ok());

  auto out = forum_->ExportAccount(ann);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->user.username, "ann");
  ASSERT_EQ(out->posts.size(), 2u);
  ASSERT_EQ(out->topics_of_posts.size(), 2u);
  bool saw_anonymous = false;
  for (std::size_t i = 0; i < out->posts.size(); ++i) {
    EXPECT_EQ(out->topics_of_posts[i].id, out->posts[i].topic_id);
    saw_anonymous |= out->posts[i].anonymous && out->posts[i].body_markdown == "My family must not know.";
  }
  EXPECT_TRUE(saw_anonymous);
  ASSERT_EQ(out->reactions.size(), 1u);
  EXPECT_EQ(out->reactions[0].post, bobs->second.id);
  ASSERT_EQ(out->blocked.size(), 1u);
  EXPECT_EQ(out->blocked[0].username, "cat");
  EXPECT_EQ(out->sessions.size(), 1u);

  EXPECT_EQ(forum_->ExportAccount(Visitor()).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(PrivacyTest, DeletingNeedsThePassword) {
  Viewer ann = Member("ann");
  auto wrong = forum_->DeleteAccount(ann, "not my password", false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(wrong.error().field, "password");
  auto empty = forum_->DeleteAccount(ann, "", false);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().field, "password");
  EXPECT_TRUE(store_->FindUserByName("ann").ok());
  EXPECT_EQ(forum_->DeleteAccount(Visitor(), "a long enough password", false).error().code,
            ErrorCode::kUnauthenticated);
}

TEST_F(PrivacyTest, TheLastAdminCannotLeaveUntilThereIsAnother) {
  auto alone = forum_->DeleteAccount(admin_, "admin password 1", false);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().code, ErrorCode::kConflict);
  EXPECT_EQ(alone.error().key, "last_admin");
  EXPECT_TRUE(store_->FindUserByName("admin").ok());

  Viewer ann = Member("ann");
  ASSERT_TRUE(store_->SetRole(ann.member->id, store::Role::kAdmin).ok());
  ASSERT_TRUE(forum_->DeleteAccount(admin_, "admin password 1", false).ok());
  EXPECT_EQ(store_->FindUserByName("admin").error().code, ErrorCode::kNotFound);
}

TEST_F(PrivacyTest, DeletingSignsOutEverywhereAndKeptPostsLoseTheName) {
  Viewer ann = Member("ann");
  Viewer ann_on_phone = SignIn("ann", "a long enough password");
  TopicId topic = AskSomething(ann);
  ASSERT_TRUE(forum_->DeleteAccount(ann, "a long enough password", /*delete_posts=*/false).ok());

  EXPECT_EQ(store_->FindUserByName("ann").error().code, ErrorCode::kNotFound);
  auto sessions = store_->ListSessionsOfUser(ann.member->id);
  ASSERT_TRUE(sessions.ok());
  EXPECT_TRUE(sessions->empty());
  EXPECT_EQ(store_->FindSession(ann.session_token_hash, clock_.Now()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindSession(ann_on_phone.session_token_hash, clock_.Now()).error().code, ErrorCode::kNotFound);
  auto view = forum_->ShowTopic(Visitor(), topic, 1);
  ASSERT_TRUE(view.ok());
  ASSERT_FALSE(view->posts.empty());
  EXPECT_EQ(view->posts[0].body_markdown, "It happens every week.");
  EXPECT_EQ(view->posts[0].author_name, "");
  EXPECT_EQ(view->posts[0].author_state, store::AuthorState::kFormerMember);
  EXPECT_FALSE(forum_->LogIn(Visitor(), "ann", "a long enough password").ok());
  // The kept posts are not gathered again under the account's new numbered name.
  auto erased = store_->FindUserById(ann.member->id);
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(forum_->Profile(Visitor(), erased->username, 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(forum_->Profile(admin_, erased->username, 1).error().code, ErrorCode::kNotFound);
  // Nor does a new password tie them to a sign-in again.
  EXPECT_EQ(forum_->ResetPassword(erased->username, "a brand new passphrase").error().code, ErrorCode::kConflict);
  EXPECT_FALSE(forum_->LogIn(Visitor(), erased->username, "a brand new passphrase").ok());
}

TEST_F(PrivacyTest, DeletingWithPostsErasesTheirText) {
  Viewer ann = Member("ann");
  Viewer bob = Member("bob");
  TopicId answered = AskSomething(ann, "Sleeping after a loss is so hard");
  auto reply = forum_->Reply(ann, AskSomething(bob, "Grief on birthdays is hard"), {"Chamomile helped me."});
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(forum_->Reply(bob, answered, {"Audiobooks at night help me."}).ok());
  ASSERT_TRUE(forum_->DeleteAccount(ann, "a long enough password", /*delete_posts=*/true).ok());

  auto post = store_->FindPost(reply->id);
  ASSERT_TRUE(post.ok());
  EXPECT_TRUE(post->deleted_at.has_value());
  EXPECT_EQ(post->body_markdown, "");
  auto topic = store_->FindTopic(answered);
  ASSERT_TRUE(topic.ok());  // others answered, so their replies keep their place
  EXPECT_NE(topic->title, "Sleeping after a loss is so hard");
}

}  // namespace
}  // namespace kindred::forum
