// ForumTest: a Forum on a real SQLite store in a temporary directory, with a manual clock, an
// admin and one category, shared by the domain's tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "forum/forum.h"
#include "forum/passwords.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace kindred::forum {

class ForumTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto()); }

  void SetUp() override {
    auto opened = store::OpenSqliteStore(dir_.path() / "kindred.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    forum_ = std::make_unique<Forum>(*store_, clock_, limits_);
    forum_->SetModerationRules(relaxed_new_members_, {});
    auto admin = forum_->CreateAdmin("admin", "admin password 1");
    ASSERT_TRUE(admin.ok());
    admin_ = SignIn("admin", "admin password 1");
    auto category = forum_->CreateCategory(admin_, {"Therapy", "Talking therapies"});
    ASSERT_TRUE(category.ok()) << category.error().message;
    category_ = category->id;
  }

  Viewer Visitor() const {
    Viewer viewer;
    viewer.client_address = "127.0.0.1";
    return viewer;
  }

  Viewer SignIn(const std::string& name, const std::string& password) {
    auto signed_in = forum_->LogIn(Visitor(), name, password);
    EXPECT_TRUE(signed_in.ok()) << (signed_in.ok() ? "" : signed_in.error().message);
    return forum_->Authenticate(signed_in->token, "127.0.0.1");
  }

  Viewer Member(const std::string& name) {
    auto user = forum_->Register(Visitor(), {name, "a long enough password", ""});
    EXPECT_TRUE(user.ok()) << (user.ok() ? "" : user.error().message);
    return SignIn(name, "a long enough password");
  }

  TopicId AskSomething(const Viewer& viewer, const std::string& title = "Is it normal to cry after therapy?") {
    auto asked = forum_->Ask(viewer, {category_, title, "It happens every week."});
    EXPECT_TRUE(asked.ok()) << (asked.ok() ? "" : asked.error().message);
    return asked->first.id;
  }

  // A forum with other limits or options over the same store and clock.
  std::unique_ptr<Forum> ForumWith(RateLimits limits, SafetyOptions safety = {}) {
    auto forum = std::make_unique<Forum>(*store_, clock_, limits, safety);
    forum->SetModerationRules(relaxed_new_members_, {});
    return forum;
  }

  testutil::TempDir dir_;
  ManualClock clock_{1795723587};
  // Generous limits, so only the tests about limits meet them.
  RateLimits limits_{{1000, 1000}, {1000, 1000}, {1000, 1000}, {1000, 1000}, {1000, 1000}, {1000, 1000}};
  // New members' limits off likewise; the moderation tests turn them on.
  NewMemberRules relaxed_new_members_{1000, 0, {1000, 1000}, 3LL * 24 * 3600, 3};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Forum> forum_;
  Viewer admin_;
  CategoryId category_;
};

}  // namespace kindred::forum
